package dev.costgateway.core.proxy;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/** Which headers cross the proxy: everything except hop-by-hop headers and the gateway's own. */
final class ProxyHeaders {

    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
            "transfer-encoding", "upgrade", "proxy-connection");

    private ProxyHeaders() {
    }

    /** Headers named in a Connection header are hop-by-hop too (RFC 9110 §7.6.1). */
    private static Set<String> connectionTokens(HttpFields fields) {
        Set<String> tokens = new HashSet<>();
        for (HttpField f : fields) {
            if (f.getHeader() == HttpHeader.CONNECTION) {
                for (String t : f.getValue().split(",")) {
                    tokens.add(t.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        return tokens;
    }

    /**
     * Copies client request headers for the upstream request: drops hop-by-hop, Host (the client sets the
     * upstream's), Content-Length (recomputed), and every {@code X-Gateway-*} header.
     *
     * @param identityEncoding true to ask upstream for an uncompressed answer the gateway can read
     */
    static void copyRequestHeaders(HttpFields from, HttpFields.Mutable to, boolean identityEncoding) {
        Set<String> extra = connectionTokens(from);
        for (HttpField f : from) {
            String name = f.getLowerCaseName();
            if (HOP_BY_HOP.contains(name) || extra.contains(name) || name.equals("host")
                    || name.equals("content-length") || name.startsWith("x-gateway-")
                    || (identityEncoding && name.equals("accept-encoding"))) {
                continue;
            }
            to.add(f);
        }
        if (identityEncoding) {
            to.put(HttpHeader.ACCEPT_ENCODING, "identity");
        }
    }

    /** Copies upstream response headers for the client: drops hop-by-hop and Content-Length. */
    static void copyResponseHeaders(HttpFields from, HttpFields.Mutable to) {
        Set<String> extra = connectionTokens(from);
        for (HttpField f : from) {
            String name = f.getLowerCaseName();
            if (HOP_BY_HOP.contains(name) || extra.contains(name) || name.equals("content-length")) {
                continue;
            }
            to.add(f);
        }
    }

    static boolean hasCredential(HttpFields headers) {
        return headers.contains("x-api-key") || headers.contains(HttpHeader.AUTHORIZATION);
    }

    static String credential(HttpFields headers) {
        String key = headers.get("x-api-key");
        return key != null ? key : headers.get(HttpHeader.AUTHORIZATION);
    }
}
