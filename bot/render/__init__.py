"""Images and files made from workshop results (canvas PNGs, Markdown/JSON exports)."""
