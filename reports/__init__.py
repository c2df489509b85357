"""The weekly ward report: metrics with pandas, a hedonic index, charts, HTML/Markdown/CSV/Parquet."""
