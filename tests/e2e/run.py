"""Runs the end-to-end suite and prints one closing line 'N passed, N failed' (and,
for a whole run, the slowest test classes, so that the suite's time stays watched)."""
import os
import sys
import time
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
pattern = sys.argv[1] if len(sys.argv) > 1 else "test_*.py"
suite = unittest.defaultTestLoader.discover(here, pattern=pattern)
spent = {}


class TimedResult(unittest.TextTestResult):
    def startTest(self, test):
        self._t0 = time.monotonic()
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        k = type(test).__module__ + "." + type(test).__name__
        spent[k] = spent.get(k, 0.0) + time.monotonic() - self._t0


t0 = time.monotonic()
result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout, resultclass=TimedResult).run(suite)
if len(sys.argv) == 1:
    print("slowest classes (tests only, without their class set-up): " + ", ".join(
        "%s %.0fs" % (k, v) for k, v in sorted(spent.items(), key=lambda kv: -kv[1])[:8]))
    print("whole run: %.0fs" % (time.monotonic() - t0))
failed = len(result.failures) + len(result.errors)
passed = result.testsRun - failed - len(result.skipped)
print("e2e (%s): %d passed, %d failed, %d skipped" % (os.environ.get("O2O_TEST_DB") and "postgres" or "sqlite",
                                                      passed, failed, len(result.skipped)))
sys.exit(1 if failed or result.testsRun == 0 else 0)
