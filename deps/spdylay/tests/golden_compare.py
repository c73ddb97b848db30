#!/usr/bin/env python3
"""Golden parity check for the spdylay C library.

For every case of every /golden/spdylay/<scenario>-<version>.json file this
script turns the recorded trace into a command script for golden_driver,
runs the driver (our library), and compares, event by event:

* every API call made on a session and its result (mapped to what the
  Python binding used for recording would report),
* every callback with its arguments (frames with all fields and name/value
  lists, DATA chunk summaries, read_cb arguments and results),
* the exact bytes of every send_cb buffer (we link the same zlib 1.2.13,
  so level-9 header blocks must match byte for byte),
* the byte counts moved between the sessions,
* final_state (want_read, want_write, outbound queue size, lowest pri).

Exit status: 0 all equal, 1 differences, 77 golden directory missing.
Only the Python 3 standard library is used.
"""
import argparse
import glob
import hashlib
import json
import os
import subprocess
import sys

TYPE_NAMES = {1: "SYN_STREAM", 2: "SYN_REPLY", 3: "RST_STREAM", 4: "SETTINGS",
              5: "NOOP", 6: "PING", 7: "GOAWAY", 8: "HEADERS",
              9: "WINDOW_UPDATE", 10: "CREDENTIAL"}

ERR_INVALID_ARGUMENT = -501
ERR_STREAM_CLOSED = -510
ERR_NOMEM = -901
ERR_CALLBACK_FAILURE = -902
ERR_EOF = -507

STRERROR = {-501: "Invalid argument"}


def hexs(s):
    """str (as the binding saw it) -> hex of its UTF-8 bytes"""
    return s.encode("utf-8").hex()


def nv_arg(nv):
    if not nv:
        return "-"
    return ",".join("%s=%s" % (hexs(n), hexs(v)) for n, v in nv)


def prd_arg(prd, salt):
    if not prd:
        return "-"
    return "%d,%d,%d,%d" % (prd["len"], prd.get("chunk_limit") or 0,
                            1 if prd.get("defer_first") else 0, salt)


def call_line(e):
    a = e["args"]
    c = e["call"]
    if c in ("send", "recv", "submit_ping"):
        return c
    if c == "submit_request":
        return "submit_request %d %s %s" % (a["pri"], nv_arg(a["nv"]),
                                            prd_arg(a.get("data_prd"), 1000))
    if c == "submit_response":
        return "submit_response %d %s %s" % (
            a["stream_id"], nv_arg(a["nv"]),
            prd_arg(a.get("data_prd"), a["stream_id"]))
    if c == "submit_syn_stream":
        return "submit_syn_stream %d %d %s %d" % (
            a["flags"], a["pri"], nv_arg(a["nv"]), a.get("assoc_stream_id", 0))
    if c == "submit_settings":
        iv = ",".join("%d:%d:%d" % tuple(x) for x in a["iv"]) or "-"
        return "submit_settings %d %s" % (a["flags"], iv)
    if c == "submit_window_update":
        return "submit_window_update %d %d" % (a["stream_id"], a["delta"])
    if c == "submit_rst_stream":
        return "submit_rst_stream %d %d" % (a["stream_id"], a["status_code"])
    if c == "submit_goaway":
        return "submit_goaway %d" % a["status_code"]
    if c == "resume_data":
        return "resume_data %d" % a["stream_id"]
    raise ValueError("unsupported call %s" % c)


def build_script(case, proto):
    lines = ["proto %d" % proto]
    trace = case["trace"]
    open_calls = []
    last_request_recv = {}
    hook_open = None
    for e in trace:
        while open_calls and open_calls[-1]["end_seq"] < e["seq"]:
            open_calls.pop()
        kind = e["kind"]
        if kind == "callback" and e["cb"] == "on_request_recv_cb":
            last_request_recv[e["side"]] = e["args"]["stream_id"]
        if kind == "call":
            if open_calls:
                # nested call: made inside on_request_recv_cb
                key = (e["side"], last_request_recv[e["side"]])
                if hook_open != key:
                    if hook_open:
                        lines.append("endhook")
                    lines.append("hook %s %d" % key)
                    hook_open = key
                lines.append("call %s %s" % (e["side"], call_line(e)))
            else:
                if hook_open:
                    lines.append("endhook")
                    hook_open = None
                lines.append("call %s %s" % (e["side"], call_line(e)))
            open_calls.append(e)
            continue
        if hook_open and not open_calls:
            lines.append("endhook")
            hook_open = None
        if kind == "note":
            # intermediate state snapshots recorded by the reference run
            text = e.get("text", "")
            if ("state_while_deferred" in case and
                    text.startswith("server.resume_data")):
                lines.append("state state_while_deferred")
            elif ("state_after_goaway" in case and
                  text.startswith("client tries a new request after")):
                lines.append("state state_after_goaway")
        if kind == "deliver":
            lines.append("deliver %s %s" % (e["frm"], e["to"]))
        elif kind == "inject":
            lines.append("inject %s %s" % (e["to"], e["hex"]))
    if hook_open:
        lines.append("endhook")
    # hooks must be registered before the call that triggers them: move
    # each hook block in front of the top-level call that contains it.
    lines = hoist_hooks(lines)
    lines.append("state final_state")
    return "\n".join(lines) + "\n"


def hoist_hooks(lines):
    out = []
    i = 0
    pending_call = None
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("hook "):
            block = []
            while not lines[i].startswith("endhook"):
                block.append(lines[i])
                i += 1
            block.append("endhook")
            i += 1
            # insert before the most recent top-level call
            idx = len(out) - 1
            while idx >= 0 and not out[idx].startswith("call "):
                idx -= 1
            out[idx:idx] = block
            continue
        out.append(ln)
        i += 1
    return out


def summarize(data_hex):
    b = bytes.fromhex(data_hex)
    d = {"len": len(b), "sha256_16": hashlib.sha256(b).hexdigest()[:16]}
    if len(b) <= 64:
        d["hex"] = b.hex()
    return d


def norm_str(h):
    return bytes.fromhex(h).decode("utf-8", errors="replace")


def norm_frame(f):
    out = dict(f)
    out["type_name"] = TYPE_NAMES.get(f["frame_type"], "?")
    if "nv" in out:
        out["nv"] = [[norm_str(n), norm_str(v)] for n, v in out["nv"]]
    if "iv" in out:
        out["iv"] = [list(x) for x in out["iv"]]
    return out


def norm_our_cb(e):
    a = dict(e["args"])
    cb = e["cb"]
    if "frame" in a:
        a["frame"] = norm_frame(a["frame"])
    if cb == "on_data_chunk_recv_cb":
        a["data"] = summarize(a["data"])
    if cb in ("on_ctrl_recv_parse_error_cb", "on_unknown_ctrl_recv_cb"):
        a["payload"] = summarize(a["payload"])
    return a


def binding_result(call, rc):
    """C return code -> what python-spdylay reports"""
    ok = {"ok": True, "return": None}
    if call in ("send", "recv"):
        if rc == ERR_EOF and call == "recv":
            return {"ok": False, "exception": "EOFError", "message": ""}
        if rc == ERR_CALLBACK_FAILURE:
            return {"ok": False, "exception": "CallbackFailureError",
                    "message": ""}
        return ok
    if call == "resume_data":
        return {"ok": True, "return": rc == 0}
    if call in ("submit_request", "submit_response", "submit_syn_stream",
                "submit_settings"):
        if rc == ERR_INVALID_ARGUMENT:
            return {"ok": False, "exception": "InvalidArgumentError",
                    "message": STRERROR[rc]}
        return ok
    if call == "submit_window_update":
        if rc == ERR_INVALID_ARGUMENT:
            return {"ok": False, "exception": "InvalidArgumentError",
                    "message": ""}
        if rc == ERR_STREAM_CLOSED:
            return {"ok": False, "exception": "StreamClosedError",
                    "message": ""}
        return ok
    if rc == ERR_NOMEM:
        return {"ok": False, "exception": "MemoryError", "message": ""}
    return ok


def golden_events(case):
    ev = []
    for e in case["trace"]:
        k = e["kind"]
        if k == "call":
            ev.append((e["side"], "call", e["call"], e["result"]))
        elif k == "callback":
            ev.append((e["side"], "callback", e["cb"], e["args"]))
        elif k == "deliver":
            ev.append(("driver", "deliver", e["frm"], e["len"]))
    return ev


def our_events(output):
    ev = []
    calls = []
    state = {}
    for line in output.splitlines():
        e = json.loads(line)
        k = e["kind"]
        if k == "call":
            item = [e["side"], "call", e["call"], None]
            calls.append(item)
            ev.append(item)
        elif k == "ret":
            item = calls.pop()
            item[3] = binding_result(e["call"], e["rc"])
        elif k == "callback":
            ev.append([e["side"], "callback", e["cb"], norm_our_cb(e)])
        elif k == "deliver":
            ev.append(["driver", "deliver", e["frm"], e["len"]])
        elif k == "state":
            state[e["label"]] = {"client": e["client"], "server": e["server"]}
    return [tuple(x) for x in ev], state


def short(x):
    s = json.dumps(x)
    return s if len(s) < 600 else s[:600] + "..."


def compare_case(driver, case, proto, label, verbose):
    script = build_script(case, proto)
    p = subprocess.run([driver], input=script, capture_output=True,
                       text=True)
    if p.returncode != 0:
        return ["driver exited with %d: %s" % (p.returncode, p.stderr[-2000:])]
    ours, state = our_events(p.stdout)
    gold = golden_events(case)
    errors = []
    for i in range(max(len(ours), len(gold))):
        g = gold[i] if i < len(gold) else None
        o = ours[i] if i < len(ours) else None
        if g != o:
            errors.append("event %d differs:\n    golden: %s\n    ours:   %s"
                          % (i, short(g), short(o)))
            if not verbose:
                # show a little context only
                break
    for label in ("final_state", "state_while_deferred",
                  "state_after_goaway"):
        if label not in case:
            continue
        gs = case[label]
        if state.get(label) != gs:
            errors.append("%s differs:\n    golden: %s\n    ours:   %s"
                          % (label, short(gs), short(state.get(label))))
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--golden-dir", required=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("-k", "--filter", default="")
    args = ap.parse_args()
    files = sorted(glob.glob(os.path.join(args.golden_dir, "*-spdy*.json")))
    if not os.path.isdir(args.golden_dir) or not files:
        print("golden directory %s not found or empty: SKIPPED"
              % args.golden_dir)
        return 77
    total = failed = 0
    for f in files:
        d = json.load(open(f))
        proto = d["protocol"]["session_version_arg"]
        for case in d["cases"]:
            label = "%s:%s" % (os.path.basename(f), case["case"])
            if args.filter and args.filter not in label:
                continue
            total += 1
            errors = compare_case(args.driver, case, proto, label,
                                  args.verbose)
            if errors:
                failed += 1
                print("FAIL %s" % label)
                for e in errors:
                    print("  " + e)
            else:
                print("ok   %s" % label)
    print("%d cases, %d failed" % (total, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
