package dev.costgateway.core.session;

import java.util.Locale;

/**
 * The session a request belongs to, as recorded with it.
 *
 * @param id               the session id; empty for {@link Source#NONE}
 * @param source           where the id came from
 * @param project          the working directory Claude Code reported ("Primary working directory"), as given;
 *                         empty when the request did not say
 * @param cacheBreakpoints number of {@code cache_control} markers in the request (tools, system, messages): the
 *                         cache-health checks only judge requests that asked for caching
 */
public record SessionTag(String id, Source source, String project, int cacheBreakpoints) {

    /** Requests recorded before sessions existed, or rejected before their body could be read. */
    public static final SessionTag NONE = new SessionTag("", Source.NONE, "", 0);

    public SessionTag {
        id = id == null ? "" : id;
        source = source == null ? Source.NONE : source;
        project = project == null ? "" : project;
    }

    public boolean isPresent() {
        return source != Source.NONE && !id.isEmpty();
    }

    /** Where a session id came from; {@link #wire()} is the stored and reported name. */
    public enum Source {
        /** {@code x-claude-code-session-id} */
        HEADER,
        /** {@code metadata.user_id}'s JSON {@code session_id} */
        METADATA,
        /** a hash of caller scope, system, tools and first user message */
        DERIVED,
        NONE;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The source for a stored name; unknown or null names are {@link #NONE}. */
        public static Source ofWire(String s) {
            if (s == null) {
                return NONE;
            }
            for (Source v : values()) {
                if (v.wire().equals(s)) {
                    return v;
                }
            }
            return NONE;
        }
    }

    /**
     * A project path shortened for display: its last two segments ({@code /home/ana/src/shop/api} becomes
     * {@code …/shop/api}); short paths and the empty string as they are. Windows separators are understood.
     */
    public static String shortProject(String path) {
        if (path == null || path.isEmpty()) {
            return "";
        }
        String p = path.replace('\\', '/');
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        int last = p.lastIndexOf('/');
        if (last <= 0) {
            return p;
        }
        int second = p.lastIndexOf('/', last - 1);
        if (second <= 0) {
            return p;
        }
        return "…" + p.substring(second);
    }
}
