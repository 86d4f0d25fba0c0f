"""Journey maps with persona layers: create, edit stages, fill layers, compare, share, export."""
