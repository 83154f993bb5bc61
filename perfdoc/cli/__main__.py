"""python -m perfdoc.cli"""

from .main import main

main()
