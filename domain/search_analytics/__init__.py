"""Search analytics: what people search for, what they do not find, what they click, how fast."""
