"""Runs Debian's pywinrm (an independent WinRM client) against a server for tests.

Reads one JSON object on stdin, so the password is never on a command line:
  endpoint, transport (basic | ntlm | kerberos), username, password,
  server_cert_validation (validate | ignore), ca_trust_path, message_encryption
  (auto | always | never), command, args, iterations (default 1),
  unknown_shell (run a command in a shell id the server never issued).
Prints one JSON object: {"ok": true, "results": [{status_code, std_out,
std_err, seconds}]} or {"ok": false, "error_type", "error"}.
Each iteration opens a new Session (connection, authentication, run_cmd).
"""
import json
import sys
import time

import winrm


def main():
    request = json.load(sys.stdin)
    kwargs = {
        "transport": request["transport"],
        "server_cert_validation": request.get("server_cert_validation", "validate"),
        "message_encryption": request.get("message_encryption", "auto"),
    }
    if request.get("ca_trust_path"):
        kwargs["ca_trust_path"] = request["ca_trust_path"]
    auth = (request.get("username"), request.get("password"))
    try:
        if request.get("unknown_shell"):
            protocol = winrm.Session(request["endpoint"], auth=auth, **kwargs).protocol
            protocol.run_command("00000000-0000-0000-0000-000000000000", "hostname")
            raise AssertionError("a command in an unknown shell succeeded")
        results = []
        for _ in range(int(request.get("iterations", 1))):
            started = time.perf_counter()
            session = winrm.Session(request["endpoint"], auth=auth, **kwargs)
            response = session.run_cmd(request.get("command", "hostname"), request.get("args", []))
            results.append({
                "status_code": response.status_code,
                "std_out": response.std_out.decode("utf-8", "replace"),
                "std_err": response.std_err.decode("utf-8", "replace"),
                "seconds": time.perf_counter() - started,
            })
        print(json.dumps({"ok": True, "results": results}))
    except Exception as error:  # the test asserts on the type and message
        print(json.dumps({"ok": False, "error_type": type(error).__name__, "error": str(error)}))


if __name__ == "__main__":
    main()
