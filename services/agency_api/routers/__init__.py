"""The agency API by resource: cases, reviews, silences, operations, check (Cek Netral), desk (HTML)."""
