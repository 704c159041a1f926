"""pysaml2's identity provider, set up as a campus IdP's administrator would set it up from this
site's SP metadata; and, for the browser tests, the same IdP answering over HTTP."""

from __future__ import annotations

import base64
import html
import shutil
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SIGNING_ALG = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_ALG = "http://www.w3.org/2001/04/xmlenc#sha256"


def make_saml_idp(*, entity_id: str, sso_url: str, keys, sp_metadata: str, slo_url: str | None = None):
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.config import IdPConfig
    from saml2.server import Server

    endpoints = {"single_sign_on_service": [(sso_url, BINDING_HTTP_REDIRECT)]}
    if slo_url:
        endpoints["single_logout_service"] = [(slo_url, BINDING_HTTP_REDIRECT)]
    config = IdPConfig()
    config.load({
        "entityid": entity_id,
        "xmlsec_binary": shutil.which("xmlsec1"),
        "key_file": keys.key_file,
        "cert_file": keys.cert_file,
        "metadata": {"inline": [sp_metadata]},
        "signing_algorithm": SIGNING_ALG,
        "digest_algorithm": DIGEST_ALG,
        "service": {"idp": {
            "endpoints": endpoints,
            "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None,
                                   "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"}},
            "name_id_format": ["urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"],
        }},
    })
    server = Server(config=config)
    server.binding_post = BINDING_HTTP_POST
    server.binding_redirect = BINDING_HTTP_REDIRECT
    return server


def signed_response(idp, saml_request: str, *, email: str, acs: str, audience: str, sign: bool = True) -> str:
    """The IdP's response, its assertion signed, to the (redirect-bound) request, for ``email``."""
    from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID

    request = idp.parse_authn_request(saml_request, idp.binding_redirect).message
    response = idp.create_authn_response(
        identity={"mail": [email], "displayName": ["Test Person"], "givenName": ["Test"], "sn": ["Person"]},
        in_response_to=request.id, destination=acs, sp_entity_id=audience,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"pid-{email}"), userid=email,
        sign_assertion=sign, sign_response=False,
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
               "authn_auth": idp.config.entityid},
        sign_alg=SIGNING_ALG, digest_alg=DIGEST_ALG,
    )
    return str(response)


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Campus IdP</title></head>
<body><main><h1>Campus sign-in</h1>{body}</main></body></html>"""


@contextmanager
def serving(idp_factory, *, acs: str, audience: str, domain: str = "example.org"):
    """The IdP over HTTP on a free port of 127.0.0.1, as a campus IdP's pages would be: its sign-in
    page takes a login (any password), and its answer is a form the browser posts to the ACS (the
    no-script form every SAML IdP has). ``idp_factory(base_url)`` makes the pysaml2 server once the
    URL is known. Yields (base_url, log): the log lists what the IdP was asked."""
    log: list[str] = []
    box: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _page(self, body: str) -> None:
            data = PAGE.format(body=body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/sso":
                log.append("sso")
                fields = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in query.items())
                self._page(f'<form method="post" action="/sso">{fields}'
                           '<label for="login">Campus login</label> <input id="login" name="login">'
                           '<label for="password">Password</label>'
                           ' <input id="password" name="password" type="password">'
                           '<button type="submit">Sign in at campus</button></form>')
            elif url.path == "/slo":
                log.append("slo")
                box["slo"] = query
                self._page("<p>You are signed out of the campus.</p>")
            else:
                self.send_error(404)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            xml = signed_response(box["idp"], form["SAMLRequest"], email=f"{form['login']}@{domain}", acs=acs,
                                  audience=audience)
            saml_response = base64.b64encode(xml.encode()).decode()
            relay = html.escape(form.get("RelayState", ""))
            self._page(f'<form method="post" action="{html.escape(acs)}">'
                       f'<input type="hidden" name="SAMLResponse" value="{saml_response}">'
                       f'<input type="hidden" name="RelayState" value="{relay}">'
                       '<button type="submit">Continue to the service</button></form>')

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    box["idp"] = idp_factory(base_url)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield base_url, log, box
    finally:
        httpd.shutdown()
        httpd.server_close()
