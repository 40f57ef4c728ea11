package dev.costgateway.core.api;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Bodies of errors the gateway itself produces, in the Anthropic shape {@code {"type":"error","error":{...}}}. */
public final class AnthropicErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String AUTHENTICATION = "authentication_error";
    public static final String NOT_FOUND = "not_found_error";
    public static final String PERMISSION = "permission_error";
    public static final String REQUEST_TOO_LARGE = "request_too_large";
    public static final String API_ERROR = "api_error";
    public static final String TIMEOUT = "timeout_error";
    public static final String OVERLOADED = "overloaded_error";
    public static final String RATE_LIMIT = "rate_limit_error";

    private AnthropicErrors() {
    }

    /** The JSON body, UTF-8. */
    public static byte[] body(String type, String message) {
        ObjectNode root = JSON.createObjectNode();
        root.put("type", "error");
        ObjectNode error = root.putObject("error");
        error.put("type", type);
        error.put("message", message);
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An SSE {@code error} event, for failures after a stream has started. */
    public static byte[] sseEvent(String type, String message) {
        return ("event: error\ndata: " + new String(body(type, message), StandardCharsets.UTF_8) + "\n\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
