"""Load: source text to a located tree, the schema, typed values, the model, region formats."""
