"""Writing files safely: atomic writes, deterministic JSON, manifests."""
