"""What a trained network learned: predictions, confusion, mistakes, decision fields, weights."""
