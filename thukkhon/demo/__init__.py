"""The demo town: a Lamphun-like municipality with made-up residents (no real person's data)."""
