//! What a 1C base publishes, read from its `$metadata` (EDMX, schema `StandardODATA`).
//!
//! An administrator publishes objects one by one, so before a sync Ferment compares what the profile
//! needs ([`crate::profile::Profile::requirements`]) with what is there and names what is missing.

use std::collections::{BTreeMap, BTreeSet};

use quick_xml::events::{BytesStart, Event};
use serde::Serialize;

use crate::{OnecError, OnecResult};

/// The published entity sets and their fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// Entity set → the field names of its entity type.
    pub sets: BTreeMap<String, BTreeSet<String>>,
}

/// A set or field the profile needs that the base does not publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// The entity set.
    pub set: String,
    /// The field, or `None` when the whole set is missing.
    pub field: Option<String>,
}

impl Metadata {
    /// Parses EDMX.
    pub fn parse(edmx: &str) -> OnecResult<Metadata> {
        let mut reader = quick_xml::Reader::from_str(edmx);
        let mut types: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut sets: Vec<(String, String)> = Vec::new();
        let mut current: Option<String> = None;
        loop {
            let event = reader
                .read_event()
                .map_err(|e| OnecError::Protocol(format!("$metadata is not XML: {e}")))?;
            match event {
                Event::Start(element) | Event::Empty(element) => {
                    match element.local_name().as_ref() {
                        "EntityType" | "ComplexType" => {
                            let name = attribute(&element, "Name")?.unwrap_or_default();
                            types.entry(name.clone()).or_default();
                            current = Some(name);
                        }
                        "Property" | "NavigationProperty" => {
                            if let (Some(owner), Some(name)) =
                                (&current, attribute(&element, "Name")?)
                            {
                                types.entry(owner.clone()).or_default().insert(name);
                            }
                        }
                        "EntitySet" => {
                            let name = attribute(&element, "Name")?.unwrap_or_default();
                            let kind = attribute(&element, "EntityType")?.unwrap_or_default();
                            sets.push((name, kind));
                        }
                        _ => {}
                    }
                }
                Event::End(element)
                    if matches!(element.local_name().as_ref(), "EntityType" | "ComplexType") =>
                {
                    current = None;
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if sets.is_empty() && types.is_empty() {
            return Err(OnecError::Protocol(
                "$metadata lists no entity sets: is this a 1C OData publication?".into(),
            ));
        }
        let sets = sets
            .into_iter()
            .map(|(name, kind)| {
                let local = kind.rsplit('.').next().unwrap_or(&kind).to_string();
                let fields = types.get(&local).cloned().unwrap_or_default();
                (name, fields)
            })
            .collect();
        Ok(Metadata { sets })
    }

    /// Whether a set is published.
    pub fn has_set(&self, set: &str) -> bool {
        self.sets.contains_key(set)
    }

    /// What of `needed` (set → fields) is not published.
    pub fn missing(&self, needed: &BTreeMap<String, BTreeSet<String>>) -> Vec<Missing> {
        let mut missing = Vec::new();
        for (set, fields) in needed {
            match self.sets.get(set) {
                None => missing.push(Missing {
                    set: set.clone(),
                    field: None,
                }),
                Some(published) => {
                    for field in fields {
                        if !published.contains(field) {
                            missing.push(Missing {
                                set: set.clone(),
                                field: Some(field.clone()),
                            });
                        }
                    }
                }
            }
        }
        missing
    }
}

fn attribute(element: &BytesStart<'_>, name: &str) -> OnecResult<Option<String>> {
    for attribute in element.attributes() {
        let attribute =
            attribute.map_err(|e| OnecError::Protocol(format!("$metadata attribute: {e}")))?;
        if attribute.key.local_name().as_ref() == name {
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| OnecError::Protocol(format!("$metadata attribute: {e}")))?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written by hand in the shape of 1C's `$metadata` (platform 8.3): entity types, a row complex
    /// type, navigation properties and the container `EnterpriseV8`.
    const EDMX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<edmx:Edmx xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" Version="1.0">
 <edmx:DataServices xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" m:DataServiceVersion="3.0">
  <Schema xmlns="http://schemas.microsoft.com/ado/2009/11/edm" Namespace="StandardODATA">
   <EntityType Name="Catalog_Номенклатура">
    <Key><PropertyRef Name="Ref_Key"/></Key>
    <Property Name="Ref_Key" Type="Edm.Guid" Nullable="false"/>
    <Property Name="DataVersion" Type="Edm.String" Nullable="true"/>
    <Property Name="Description" Type="Edm.String" Nullable="true"/>
    <Property Name="Артикул" Type="Edm.String" Nullable="true"/>
    <NavigationProperty Name="Parent" Relationship="StandardODATA.Catalog_Номенклатура_Parent" FromRole="Begin" ToRole="End"/>
   </EntityType>
   <ComplexType Name="Document_ЗаказКлиента_Товары_RowType">
    <Property Name="LineNumber" Type="Edm.Int64" Nullable="true"/>
   </ComplexType>
   <EntityContainer Name="EnterpriseV8" m:IsDefaultEntityContainer="true">
    <EntitySet Name="Catalog_Номенклатура" EntityType="StandardODATA.Catalog_Номенклатура"/>
   </EntityContainer>
  </Schema>
 </edmx:DataServices>
</edmx:Edmx>"#;

    #[test]
    fn sets_and_fields_are_read_and_the_missing_named() {
        let metadata = Metadata::parse(EDMX).expect("parsed");
        assert!(metadata.has_set("Catalog_Номенклатура"));
        let mut needed = BTreeMap::new();
        needed.insert(
            "Catalog_Номенклатура".to_string(),
            ["Артикул", "ЕдиницаИзмерения_Key"]
                .map(String::from)
                .into_iter()
                .collect(),
        );
        needed.insert("Catalog_Контрагенты".to_string(), BTreeSet::new());
        assert_eq!(
            metadata.missing(&needed),
            [
                Missing {
                    set: "Catalog_Контрагенты".into(),
                    field: None
                },
                Missing {
                    set: "Catalog_Номенклатура".into(),
                    field: Some("ЕдиницаИзмерения_Key".into())
                }
            ]
        );
    }

    #[test]
    fn something_else_is_not_metadata() {
        assert!(Metadata::parse("<html><body>login</body></html>").is_err());
    }
}
