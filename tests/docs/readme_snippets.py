#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compiles every ```cpp block of README.md as its own program, so the README stays true.

Usage: readme_snippets.py README.md CXX INCLUDE_DIR [RUN]
With RUN, each program is also run (they use loopback only) and must exit 0 within 10 s,
except blocks whose first line is `// no-run` (for example the one that needs a web server).
"""
import os
import re
import subprocess
import sys
import tempfile


def main() -> int:
    readme, cxx, include = sys.argv[1:4]
    run = len(sys.argv) > 4 and sys.argv[4] == "RUN"
    text = open(readme, encoding="utf-8").read()
    blocks = re.findall(r"```cpp\n(.*?)```", text, re.S)
    programs = [b for b in blocks if "int main(" in b]
    if not programs:
        print("FAIL: no compilable ```cpp blocks found in", readme)
        return 1
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, code in enumerate(programs):
            src = os.path.join(tmp, f"snippet{i}.cpp")
            exe = os.path.join(tmp, f"snippet{i}")
            with open(src, "w", encoding="utf-8") as f:
                f.write(code)
            build = subprocess.run(
                [cxx, "-std=c++17", "-Wall", "-Wextra", "-Werror", "-I", include, src, "-o", exe],
                capture_output=True, text=True, timeout=300)
            first = code.splitlines()[0]
            if build.returncode != 0:
                print(f"FAIL snippet {i} ({first}): does not compile\n{build.stderr}")
                failed += 1
                continue
            if run and not code.startswith("// no-run"):
                result = subprocess.run([exe], capture_output=True, text=True, timeout=10)
                if result.returncode != 0:
                    print(f"FAIL snippet {i} ({first}): exit {result.returncode}\n{result.stderr}")
                    failed += 1
                    continue
            print(f"ok snippet {i} ({first})")
    print(f"{len(programs) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
