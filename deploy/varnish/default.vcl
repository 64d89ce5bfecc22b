# Varnish 7 in front of Crisis Tracker: caches reader pages, passes the admin and signed-in
# editors, purges by surrogate key (xkey, from varnish-modules) when the app says content
# changed, and serves stale pages while the app or its database is down.
#
# The app (gunicorn) is the backend below; `make serve-cached` and the tests write their own
# port in its place. With several app servers, declare one backend each and a round-robin
# director (vmod directors); with several caches, list each in the app's CACHE_PURGE_URLS.
vcl 4.1;

import std;
import xkey;

backend app {
    .host = "127.0.0.1";
    .port = "8001";
    # One of the app's DJANGO_ALLOWED_HOSTS, for the health probe (readers' own Host passes).
    .host_header = "localhost";
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
    # Healthy only while the app answers and reaches its database.
    .probe = {
        .url = "/healthz/";
        .interval = 1s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }
}

# Who may purge: the app servers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        # Soft purge: the old page is no longer fresh, but may still be served from grace if
        # the app cannot render a new one (see the grace rules below).
        set req.http.n-gone = xkey.softpurge(req.http.xkey-purge);
        return (synth(200, "Invalidated " + req.http.n-gone + " objects"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin, and anyone signed in (their pages may show drafts), go straight to the app.
    if (req.url ~ "^/admin/" || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # Reader pages are the same for everyone: other cookies (analytics, the editors' language
    # choice) make no difference, and tracking parameters make no new page.
    unset req.http.Cookie;
    set req.url = regsuball(req.url, "(?<=[?&])(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid)=[^&]*&?", "");
    set req.url = regsub(req.url, "[?&]+$", "");
    # While the app is healthy, a purged page is rendered afresh at once; while it is down,
    # purged and expired pages are served stale (up to their grace).
    if (std.healthy(req.backend_hint) && !req.http.x-serve-stale) {
        set req.grace = 0s;
    }
    return (hash);
}

sub vcl_backend_response {
    # An error while a stale copy exists: keep the stale copy.
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    if (beresp.ttl > 0s && beresp.http.Cache-Control ~ "public") {
        # Kept past s-maxage for outages (the app's stale-if-error says how long).
        set beresp.grace = 7d;
    }
}

sub vcl_deliver {
    # A fetch failed and the page was cached before: try once more, allowing stale copies.
    if (resp.status >= 500 && req.restarts == 0 && req.method == "GET" && !req.http.x-serve-stale) {
        set req.http.x-serve-stale = "1";
        return (restart);
    }
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # Surrogate keys are for this cache only.
    unset resp.http.xkey;
}
