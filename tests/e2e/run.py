"""Runs the end-to-end suite and prints one closing line 'N passed, N failed'."""
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
pattern = sys.argv[1] if len(sys.argv) > 1 else "test_*.py"
suite = unittest.defaultTestLoader.discover(here, pattern=pattern)
result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
failed = len(result.failures) + len(result.errors)
passed = result.testsRun - failed - len(result.skipped)
print("e2e (%s): %d passed, %d failed, %d skipped" % (os.environ.get("O2O_TEST_DB") and "postgres" or "sqlite",
                                                      passed, failed, len(result.skipped)))
sys.exit(1 if failed or result.testsRun == 0 else 0)
