"""Pages that compose several domains: the only package that may import every domain."""
