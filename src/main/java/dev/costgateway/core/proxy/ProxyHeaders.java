package dev.costgateway.core.proxy;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;

import dev.costgateway.core.config.GatewayConfig;

/** Which headers cross the proxy: everything except hop-by-hop headers and the gateway's own. */
final class ProxyHeaders {

    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
            "transfer-encoding", "upgrade", "proxy-connection");

    private static final List<String> CREDENTIAL_HEADERS = List.of("x-api-key", "authorization");

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
     * upstream's), Content-Length (recomputed), Expect (the gateway's server answers {@code 100-continue} to its
     * client when it reads the body; the upstream client has no 100-continue handling, so forwarding it stalls
     * the upload), and every {@code X-Gateway-*} header.
     *
     * @param identityEncoding true to ask upstream for an uncompressed answer the gateway can read
     */
    static void copyRequestHeaders(HttpFields from, HttpFields.Mutable to, boolean identityEncoding) {
        Set<String> extra = connectionTokens(from);
        for (HttpField f : from) {
            String name = f.getLowerCaseName();
            if (HOP_BY_HOP.contains(name) || extra.contains(name) || name.equals("host")
                    || name.equals("content-length") || name.equals("expect") || name.startsWith("x-gateway-")
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

    /**
     * Replaces {@code x-api-key} and {@code authorization} fields of an upstream request by fields that put the
     * same bytes on the wire but read as {@code ***}: the Jetty client prints every request's header values at
     * DEBUG, and nothing after this point needs them in clear (the value is pre-encoded for the wire).
     */
    static void maskCredentials(HttpFields.Mutable headers) {
        for (String name : CREDENTIAL_HEADERS) {
            List<HttpField> found = headers.getFields(name);
            if (found.isEmpty() || found.stream().allMatch(CredentialField.class::isInstance)) {
                continue;
            }
            headers.remove(name);
            found.forEach(f -> headers.add(f instanceof CredentialField ? f : new CredentialField(f)));
        }
    }

    /** Sends its value pre-encoded; shows {@code ***} to anything that reads or prints it. */
    private static final class CredentialField extends PreEncodedHttpField {
        CredentialField(HttpField f) {
            super(f.getHeader(), f.getName(), f.getValue());
        }

        @Override
        public String getValue() {
            return "***";
        }
    }

    /**
     * The key the gateway injects when a client sends none: env {@code ANTHROPIC_API_KEY}, else
     * {@code upstream.api_key}; null when neither is set.
     */
    static String configuredApiKey(Supplier<String> envApiKey, GatewayConfig cfg) {
        String env = envApiKey.get();
        if (env != null && !env.isBlank()) {
            return env;
        }
        String key = cfg.upstream().apiKey();
        return key.isBlank() ? null : key;
    }

    static boolean hasCredential(HttpFields headers) {
        return headers.contains("x-api-key") || headers.contains(HttpHeader.AUTHORIZATION);
    }

    static String credential(HttpFields headers) {
        String key = headers.get("x-api-key");
        return key != null ? key : headers.get(HttpHeader.AUTHORIZATION);
    }
}
