#!/usr/bin/env python3
"""Writes the SIP messages of RFC 3665 (SIP Basic Call Flow Examples) as wire-format files: the
everyday traffic a proxy and registrar parse (registrations with digest authentication, calls
through one and two proxies, Record-Route and Route sets, sips and TLS, responses of every class).
The parser tests read them from tests/data/rfc3665.

Each message is taken from the RFC text as printed, with the repairs its layout needs: page
breaks inside a message are dropped; lines the RFC wrapped for display (indented further, or not
starting with a header name) are joined back; Content-Length is set to the body's real length
(the bodies were reflowed for print). Lines end in CRLF.

    scripts/extract_rfc3665.py ../shared/rfc/rfc3665.txt tests/data/rfc3665
"""
import os
import re
import sys

START = re.compile(r"^   ([A-Z]+ sips?:\S+ SIP/2\.0|SIP/2\.0 \d{3}( .*)?)$")
# What ends a message when a page break took the empty line after it: the next message's
# heading ("F2 401 Unauthorized SIP Server -> Bob") or a comment of the call flow.
NOT_MESSAGE = re.compile(r"^   (F\d+ |/\*)")


def without_page_breaks(lines):
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("Johnston, et al.") and "[Page" in line:
            while out and out[-1] == "":
                out.pop()
            i += 1
            while i < len(lines) and (lines[i].startswith("\f") or lines[i].startswith("RFC 3665") or lines[i] == ""):
                i += 1
            continue
        out.append(line)
        i += 1
    return out


HEADER = re.compile(r"^[A-Za-z0-9.!%*_+`'~-]+[ \t]*:")
SDP_LINE = re.compile(r"^[a-z]=")


def in_message(line):
    return line.startswith("   ") and line.strip() and not NOT_MESSAGE.match(line)


def messages(lines):
    i = 0
    while i < len(lines):
        if not START.match(lines[i]):
            i += 1
            continue
        head = [lines[i][3:]]
        i += 1
        while i < len(lines) and in_message(lines[i]) and not SDP_LINE.match(lines[i][3:]):
            text = lines[i]
            if text.startswith("    ") or not HEADER.match(text[3:]):  # wrapped for display
                cont = text.strip()
                head[-1] += cont if cont[0] in ";," else " " + cont
            else:
                head.append(text[3:])
            i += 1
        body = []
        length = [h for h in head if h.lower().startswith(("content-length:", "l:"))]
        if length and int(length[0].split(":", 1)[1]) > 0 and i + 1 < len(lines):
            if not lines[i].strip():
                i += 1  # the empty line (a page break may have taken it)
            while i < len(lines) and in_message(lines[i]):
                body.append(lines[i][3:].rstrip())
                i += 1
        body_text = "".join(b + "\r\n" for b in body)
        head = [re.sub(r"^(Content-Length|l):.*$", lambda m: f"{m.group(1)}: {len(body_text)}", h, flags=re.I)
                for h in head]
        yield "".join(h.rstrip() + "\r\n" for h in head) + "\r\n" + body_text


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="ascii") as f:
        lines = [l.rstrip("\n") for l in f]
    os.makedirs(sys.argv[2], exist_ok=True)
    count = 0
    for count, text in enumerate(messages(without_page_breaks(lines)), 1):
        with open(os.path.join(sys.argv[2], f"rfc3665-{count:03d}.sip"), "w", encoding="ascii", newline="") as f:
            f.write(text)
    print(f"{count} messages")


if __name__ == "__main__":
    main()
