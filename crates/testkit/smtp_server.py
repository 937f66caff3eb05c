"""A real SMTP server on loopback for the tests (Debian's python3-aiosmtpd).

It listens on 127.0.0.1 on a free port (or --port), prints the port on the first line
of stdout, and saves every accepted message as NNNNNN.eml in --dir. The
recipient address chooses the server's behaviour, so one server serves a
whole test:

  *reject*    550 at RCPT TO (a permanent refusal)
  *tempfail*  451 at the end of DATA the first --tempfail-times times a
              given Message-ID is offered, then accepted
  *hang*      the message is received and saved, but the reply comes only
              after --hang-seconds (the client gives up: outcome unknown)

--delay-ms slows every accepted message down (for crash tests).
--auth-user/--auth-password make the server require AUTH (PLAIN or LOGIN)
with that account before it takes mail.
--tls starttls|implicit with --tls-cert/--tls-key: offer STARTTLS, or speak
TLS from the first byte (SMTPS), with that certificate.
"""

import argparse
import asyncio
import email
import logging
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, args):
        self.args = args
        self.seq = 0
        self.tempfails = {}

    def save(self, envelope):
        self.seq += 1
        path = os.path.join(self.args.dir, f"{self.seq:06d}.eml")
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, path)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "reject" in address:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        rcpt = " ".join(envelope.rcpt_tos)
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        mid = message.get("Message-ID", "")
        if "tempfail" in rcpt:
            seen = self.tempfails.get(mid, 0)
            if seen < self.args.tempfail_times:
                self.tempfails[mid] = seen + 1
                return "451 4.3.0 try again later"
        if self.args.delay_ms:
            await asyncio.sleep(self.args.delay_ms / 1000)
        self.save(envelope)
        if "hang" in rcpt:
            await asyncio.sleep(self.args.hang_seconds)
        return "250 2.0.0 OK queued as %d" % self.seq


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--tempfail-times", type=int, default=2)
    p.add_argument("--hang-seconds", type=float, default=30)
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--auth-user")
    p.add_argument("--auth-password")
    p.add_argument("--tls", choices=["starttls", "implicit"])
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    args = p.parse_args()
    handler = Handler(args)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == args.auth_user.encode()
            and auth_data.password == args.auth_password.encode()
        )
        return AuthResult(success=ok, handled=False)

    options = dict(decode_data=False, enable_SMTPUTF8=True)
    if args.auth_user:
        options.update(
            authenticator=authenticator, auth_required=True, auth_require_tls=False
        )
    context = None
    if args.tls:
        # A client that refuses the test CA's certificate is what some tests
        # want: its failed handshake is not worth a traceback.
        logging.getLogger("mail.log").addFilter(
            lambda record: not (
                record.exc_info and isinstance(record.exc_info[1], Exception)
                and "TLS" in type(record.exc_info[1]).__name__
            )
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    if args.tls == "starttls":
        options.update(tls_context=context, require_starttls=True)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, **options),
        "127.0.0.1",
        args.port,
        ssl=context if args.tls == "implicit" else None,
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
