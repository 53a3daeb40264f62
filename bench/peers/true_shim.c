/* Bench shim (issue 28, goal 2): /bin/true as the script, with ergate's spawn path unchanged.
 * Named as ergate's `python`, it exits 0 at once when its first argument names one of the
 * bench's trivial scripts (a path holding "/trivial_"), and otherwise execs the real
 * interpreter (PYTHON, set at compile time) with the same argv, so the launcher, the version
 * probe and sys.executable (argv[0] is kept: the shim's path) work as with a real interpreter.
 * Built by bench/harness/true-shim.ts: cc -O2 -static -DPYTHON='"/usr/bin/python3"'. */
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc > 1 && strstr(argv[1], "/trivial_") != NULL) _exit(0);
  execv(PYTHON, argv);
  return 127;
}
