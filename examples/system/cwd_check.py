"""The default working directory is the script's own folder."""
import os

here = os.path.dirname(os.path.abspath(__file__))
assert os.getcwd() == here, (os.getcwd(), here)
print("cwd is the script folder:", os.path.basename(here))
