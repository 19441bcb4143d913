"""Action-item pages, one module per area: items.py (one item), lists.py (the list, its export and
the bulk status upload), fanouts.py (fanning a conclusion out to municipalities, the status matrix)."""
