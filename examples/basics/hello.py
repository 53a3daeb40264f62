"""The smallest script: prints one line and exits 0 (status 'passed')."""
print("hello from ergate")
