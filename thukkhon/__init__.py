"""ThukKhon (ทุกคน): born meaningfully, live valuably, die with dignity."""
