//! Ferment's business types and rules, free of I/O: no database, no network, no clock (time is
//! passed in). Everything here is a pure function of its inputs, so it is tested exhaustively in place.
//!
//! Suggested reading order: [`validation`] (how problems are reported), [`requisites`] (Russian
//! control digits), [`counterparty`], [`contact`], [`catalog`], [`access`] (who may do what),
//! [`history`] (what a change history records).

pub mod access;
pub mod catalog;
pub mod codes;
pub mod company;
pub mod contact;
pub mod counterparty;
pub mod decimal;
pub mod document;
pub mod history;
pub mod lead;
pub mod onec;
pub mod process;
pub mod recipe;
pub mod requisites;
pub mod russian;
pub mod sale;
pub mod task;
pub mod territory;
pub mod text;
pub mod user;
pub mod validation;
