"""`python -m server.admin` is `verdict-admin`."""

import sys

from server.admin.main import main

sys.exit(main())
