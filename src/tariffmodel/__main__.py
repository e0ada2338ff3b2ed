import sys

from tariffmodel.cli.main import main

sys.exit(main())
