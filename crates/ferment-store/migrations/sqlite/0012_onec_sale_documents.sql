-- The documents that belong to a sale, in date order, without reading every document of the
-- connection: a 1C sync spreads sales to their followers and reads each sale's facts from them on
-- every run, and most of a base's documents belong to no sale.
CREATE INDEX onec_documents_on_sales ON onec_documents (connection_id, doc_date) WHERE sale_id IS NOT NULL;
