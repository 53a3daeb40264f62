"""Non-ASCII output survives capture (UTF-8): accents, CJK, emoji."""
print("café – naïve – 東京 – 🚀")
