package dev.costgateway.core.metrics;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * What the store does with {@code metrics.jdbc_url} before it connects: masks secrets for messages, takes user
 * and password out of a PostgreSQL URL (or from the environment), and adds the timeouts that keep a dead
 * database from hanging anything.
 */
final class JdbcUrls {

    /** {@code password=...} in a query string ({@code &}) or an H2 setting list ({@code ;}). */
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&;]*");
    /** {@code //user:secret@host} */
    private static final Pattern USER_INFO = Pattern.compile("//([^/:@]*):[^/@]*@");

    /** Seconds: a PostgreSQL that does not answer must not hold the writer, a query or start-up for long. */
    static final int CONNECT_TIMEOUT_SECONDS = 3;
    /** Seconds a statement may wait on the socket: a batch or a report query, never a request. */
    static final int SOCKET_TIMEOUT_SECONDS = 60;

    private JdbcUrls() {
    }

    /** The URL as it may appear in a log line or an error message: any password replaced by {@code ***}. */
    static String masked(String url) {
        if (url == null) {
            return "";
        }
        String out = PASSWORD_PARAM.matcher(url).replaceAll("$1***");
        return USER_INFO.matcher(out).replaceAll("//$1:***@");
    }

    /** A PostgreSQL URL split into the URL to connect to (no credentials) and the credentials. */
    record Postgres(String url, String user, String password) {
        @Override
        public String toString() {
            return "Postgres[" + url + ", user=" + user + "]";
        }
    }

    /**
     * Splits {@code jdbc:postgresql://host:port/db?user=U&password=P&...}: user and password come from the URL,
     * else from the environment ({@code PGUSER}, {@code PGPASSWORD}, as for {@code psql}); connect, login and
     * socket timeouts are added unless the URL sets them, and batched inserts are rewritten into multi-row ones.
     */
    static Postgres postgres(String jdbcUrl, UnaryOperator<String> env) {
        int q = jdbcUrl.indexOf('?');
        String base = q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
        Map<String, String> params = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : jdbcUrl.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = eq < 0 ? pair : pair.substring(0, eq);
                String v = eq < 0 ? "" : pair.substring(eq + 1);
                params.put(k, v);
            }
        }
        String user = decode(removeIgnoringCase(params, "user"));
        String password = decode(removeIgnoringCase(params, "password"));
        if (user == null) {
            user = env.apply("PGUSER");
        }
        if (password == null) {
            password = env.apply("PGPASSWORD");
        }
        params.putIfAbsent("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        params.putIfAbsent("loginTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        params.putIfAbsent("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
        params.putIfAbsent("tcpKeepAlive", "true");
        params.putIfAbsent("reWriteBatchedInserts", "true");
        params.putIfAbsent("ApplicationName", "cost-gateway");
        StringBuilder url = new StringBuilder(base);
        char sep = '?';
        for (Map.Entry<String, String> e : params.entrySet()) {
            url.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = '&';
        }
        return new Postgres(url.toString(), user, password);
    }

    private static String removeIgnoringCase(Map<String, String> params, String key) {
        for (String k : params.keySet()) {
            if (k.toLowerCase(Locale.ROOT).equals(key)) {
                return params.remove(k);
            }
        }
        return null;
    }

    private static String decode(String v) {
        return v == null ? null : URLDecoder.decode(v, StandardCharsets.UTF_8);
    }
}
