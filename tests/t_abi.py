"""The shared library's interface: libtwinnet.so exports exactly what include/twinnet.h declares
with TN_API (no internal symbol, none missing), every declaration of twinnet.h outside its
TN_INTERNAL part carries TN_API, the soname is libtwinnet.so.TN_ABI_VERSION, and the ABI (each
exported symbol with its C type, parameter names left out; size, alignment and every field's
offset and size of each public struct; every enum's values) equals tests/abi-SONAME.txt. A
change there needs a new soname (README, "Library interface and ABI"); the message says how.
The layout is committed for x86_64: on another machine that part is skipped (77), saying so.
  BUILD=build /usr/bin/python3 tests/t_abi.py            check
  BUILD=build /usr/bin/python3 tests/t_abi.py --update   write tests/abi-SONAME.txt
Exit 0 passes, 1 fails, 77 skips."""
import difflib
import os
import re
import subprocess
import sys
import tempfile

from pycheck import check, finish, skip

BUILD = os.environ.get("BUILD", "build")
CC = os.environ.get("CC", "cc")
HEADER = "include/twinnet.h"
UPDATE_CMD = "BUILD=%s /usr/bin/python3 tests/t_abi.py --update" % BUILD


def done(skip_reason=None):
    """Exits: 1 if a check failed, else 77 with skip_reason if given, else 0."""
    status = finish()
    if status == 0 and skip_reason:
        skip(skip_reason)
    sys.exit(status)


# ---- the header: TN_API declarations, the TN_INTERNAL part, structs, enums, typedefs -----------
def header_parts(text):
    """(public code, internal code): comments and preprocessor lines removed, C++ guards dropped."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    public, internal, stack = [], [], []
    for line in text.split("\n"):
        directive = line.strip()
        if directive.startswith("#"):
            if re.match(r"#\s*if", directive):
                stack.append(directive)
            elif re.match(r"#\s*endif", directive):
                stack.pop()
            continue
        if any("__cplusplus" in c for c in stack):
            continue
        (internal if any("TN_INTERNAL" in c for c in stack) else public).append(line)
    return " ".join(public), " ".join(internal)


def statements(code):
    """Top-level statements (split at ';' outside braces and parentheses), whitespace collapsed."""
    out, depth, cur = [], 0, []
    for ch in code:
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        if ch == ";" and depth == 0:
            out.append(" ".join("".join(cur).split()))
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        out.append(" ".join("".join(cur).split()))
    return [s for s in out if s]


def split_top(text, sep=","):
    parts, depth, cur = [], 0, []
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return [p for p in parts if p]


NAME_AT_END = re.compile(r"^(.*?)\s*\b([A-Za-z_]\w*)\s*((?:\[[^\]]*\]\s*)*)$")


def type_only(decl):
    """A parameter or object declaration without its name: 'const uint32_t ctr[4]' -> 'const uint32_t [4]'."""
    if decl in ("void", "..."):
        return decl
    unnamed = re.sub(r"\(\s*\*\s*\w+\s*\)", "(*)", decl)
    if unnamed != decl:
        return unnamed
    m = NAME_AT_END.match(decl)
    if not m or not re.search(r"\w", m.group(1)):
        return decl
    return (m.group(1) + " " + m.group(3).replace(" ", "")).strip()


def signature(decl):
    """(name, type) of a function or object declaration."""
    m = re.match(r"^(.*?)\b([A-Za-z_]\w*)\s*\((.*)\)$", decl)
    if m and "(" not in m.group(1):
        params = ", ".join(type_only(p) for p in split_top(m.group(3)))
        return m.group(2), "%s(%s)" % (m.group(1).strip() + (" " if not m.group(1).strip().endswith("*") else ""), params)
    m = NAME_AT_END.match(decl)
    return (m.group(2), type_only(decl)) if m else (None, decl)


def parse_header(path):
    public, internal = header_parts(open(path).read())
    api, structs, enums, typedefs, bare = {}, {}, {}, {}, []
    for st in statements(public):
        if st.startswith("typedef"):
            m = re.match(r"typedef (struct|enum)\s*\w*\s*\{(.*)\}\s*(\w+)$", st)
            if m and m.group(1) == "struct":
                fields = []
                for field in split_top(m.group(2), ";"):
                    for d in split_top(field):
                        fields.append(NAME_AT_END.match(d).group(2))
                structs[m.group(3)] = fields
            elif m:
                enums[m.group(3)] = [e.split("=")[0].strip() for e in split_top(m.group(2))]
            else:
                fn = re.match(r"typedef (.*?)\(\s*\*\s*(\w+)\s*\)\s*\((.*)\)$", st)
                if fn:  # a function pointer type: its parameters without their names
                    name = fn.group(2)
                    typedefs[name] = "%s (*)(%s)" % (fn.group(1).strip(), ", ".join(type_only(p) for p in split_top(fn.group(3))))
                else:
                    name = NAME_AT_END.match(st).group(2)
                    typedefs[name] = type_only(st[len("typedef "):])
        elif st.startswith("TN_API "):
            name, sig = signature(re.sub(r"^TN_API (extern )?", "", st))
            api[name] = sig
        else:
            bare.append(st)
    hidden = [signature(re.sub(r"^(TN_API )?(extern )?", "", st))[0] for st in statements(internal)]
    internal_api = [st for st in statements(internal) if st.startswith("TN_API")]
    return api, structs, enums, typedefs, bare, hidden, internal_api


# ---- the library at hand --------------------------------------------------------------------------
if os.environ.get("TWINNET_SANITIZE"):
    skip("sanitizer build (the same objects as the normal build's, whose make test checks the ABI)")
for tool in ("nm", "readelf", CC):
    if subprocess.run(["sh", "-c", "command -v " + tool], capture_output=True).returncode != 0:
        skip("%s is not installed" % tool)
make = subprocess.run(["make", "-s", "BUILD=" + BUILD, "shared"], capture_output=True, text=True)
if make.returncode != 0:
    check(False, "make shared: " + make.stderr.strip()[-2000:])
    done()
so = os.path.join(BUILD, "libtwinnet.so")
head = open(HEADER).read()
abi_version = re.search(r"#define TN_ABI_VERSION (\d+)", head).group(1)
dynamic = subprocess.run(["readelf", "-d", so], capture_output=True, text=True).stdout
soname = (re.findall(r"\(SONAME\).*\[(.*)\]", dynamic) or [""])[0]
check(soname == "libtwinnet.so." + abi_version, "soname %s is libtwinnet.so.TN_ABI_VERSION (%s)" % (soname, abi_version))

nm = subprocess.run(["nm", "-D", "--defined-only", so], capture_output=True, text=True)
exported = sorted(line.split()[-1] for line in nm.stdout.splitlines() if line.strip())
check(nm.returncode == 0 and len(exported) > 0, "nm -D lists %d exported symbols" % len(exported))

api, structs, enums, typedefs, bare, hidden, internal_api = parse_header(HEADER)
unexpected = [s for s in exported if s not in api]
check(not unexpected, "every exported symbol is declared with TN_API in twinnet.h%s"
      % ("" if not unexpected else ": not so for " + " ".join(unexpected)
         + " (make it static, or declare it in twinnet.h with TN_API if it is public)"))
missing = sorted(set(api) - set(exported))
check(not missing, "every TN_API declaration is exported (%d)%s"
      % (len(api), "" if not missing else ": missing " + " ".join(missing)))
check(not bare, "every public declaration of twinnet.h carries TN_API%s"
      % ("" if not bare else ": not " + " | ".join(bare[:5]) + " (or move it into the TN_INTERNAL part)"))
check(not internal_api and not set(hidden) & set(exported),
      "the TN_INTERNAL part (%s) is not exported" % " ".join(hidden))

# ---- the ABI description against tests/abi-SONAME.txt ------------------------------------------
with open(so, "rb") as f:
    elf = f.read(20)
x86_64 = elf[:4] == b"\x7fELF" and elf[4] == 2 and elf[5] == 1 and int.from_bytes(elf[18:20], "little") == 62
if not x86_64:
    done("the committed ABI description is x86_64's (struct sizes and offsets differ elsewhere); "
           "%s is another machine's library" % so)

program = ["#include <stddef.h>", "#include <stdio.h>", '#include "twinnet.h"', "int main(void) {"]
for name in sorted(structs):
    program.append('    printf("struct %s %%zu/%%zu:", sizeof(%s), _Alignof(%s));' % (name, name, name))
    for field in structs[name]:
        program.append('    printf(" %s@%%zu+%%zu", offsetof(%s, %s), sizeof(((%s *)0)->%s));'
                       % (field, name, field, name, field))
    program.append('    printf("\\n");')
for name in sorted(enums):
    program.append('    printf("enum %s %%zu:", sizeof(%s));' % (name, name))
    for value in enums[name]:
        program.append('    printf(" %s=%%lld", (long long)%s);' % (value, value))
    program.append('    printf("\\n");')
program += ["    return 0;", "}"]
with tempfile.TemporaryDirectory() as tmp:
    src, exe = os.path.join(tmp, "abi.c"), os.path.join(tmp, "abi")
    with open(src, "w") as f:
        f.write("\n".join(program) + "\n")
    cc = subprocess.run([CC, "-std=c11", "-Wall", "-Werror", "-Iinclude", src, "-o", exe], capture_output=True, text=True)
    check(cc.returncode == 0, "the layout program builds" + ("" if cc.returncode == 0 else ": " + cc.stderr[-1500:]))
    if cc.returncode != 0:
        done()
    layout = subprocess.run([exe], capture_output=True, text=True, check=True).stdout.splitlines()

description = ["# The ABI of %s on x86_64, as tests/t_abi.py sees it; written by its --update" % soname]
description += ["symbol %s: %s" % (name, api[name]) for name in exported if name in api]
description += ["typedef %s: %s" % (name, typedefs[name]) for name in sorted(typedefs)]
description += layout
recorded = "tests/abi-%s.txt" % soname
if "--update" in sys.argv:
    with open(recorded, "w") as f:
        f.write("\n".join(description) + "\n")
    print("wrote %s (%d lines)" % (recorded, len(description)))
    done()
if not os.path.exists(recorded):
    check(False, "%s does not exist: after a new soname, write it with `%s` and git rm the older tests/abi-*.txt"
          % (recorded, UPDATE_CMD))
    done()
old = open(recorded).read().splitlines()
if old == description:
    check(True, "the ABI equals %s (%d lines)" % (recorded, len(description)))
else:
    diff = "\n".join(difflib.unified_diff(old, description, recorded, "this build", lineterm="", n=0))
    if set(old[1:]) <= set(description):
        advice = ("only additions: a program built against %s still runs, so the soname stays; record them with `%s`"
                  % (soname, UPDATE_CMD))
    else:
        advice = ("a public struct, signature or enum changed but the soname did not: bump TN_ABI_VERSION in "
                  "include/twinnet.h (the soname becomes libtwinnet.so.%d), then write tests/abi-libtwinnet.so.%d.txt "
                  "with `%s` and git rm %s" % (int(abi_version) + 1, int(abi_version) + 1, UPDATE_CMD, recorded))
    check(False, "the ABI differs from %s: %s\n%s" % (recorded, advice, diff))
done()
