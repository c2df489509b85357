"""The price-history database: models, migrations, identity rules, history writer, removal rules."""
