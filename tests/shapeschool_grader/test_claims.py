"""Claims: one grader process per student at a time, and none left behind by a killed one."""
import signal
import subprocess
import sys
import time

from shapeschool_grader.claims import Claims


def test_a_claimed_student_cannot_be_claimed_again_until_released(tmp_path):
    first, second = Claims(tmp_path), Claims(tmp_path)
    assert first.claim("alice") and first.claim("alice"), "claiming again what one holds is fine"
    assert not second.claim("alice") and second.claim("bob")
    first.release("alice")
    assert second.claim("alice")
    second.release_all()
    assert first.claim("alice") and first.claim("bob")


def test_a_killed_process_leaves_no_claim(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom shapeschool_grader.claims import Claims\n"
        f"assert Claims({str(tmp_path)!r}).claim('alice')\nprint('held', flush=True)\ntime.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    mine = Claims(tmp_path)
    assert not mine.claim("alice")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    deadline = time.monotonic() + 5
    while not mine.claim("alice") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mine.claim("alice")
