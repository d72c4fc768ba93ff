import sys

from minzheng.cli import main

sys.exit(main())
