package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

import dev.costgateway.core.config.ConfigLoader;

class RequestParserTest {

    private static final String BODY = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":10,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static ParsedRequest parse(String body, HttpFields headers, String envKey) throws InvalidRequest {
        return RequestParser.parse(body.getBytes(StandardCharsets.UTF_8), headers, ConfigLoader.defaults(),
                () -> envKey);
    }

    @Test
    void readsModelStreamCredentialAndOptOuts() throws Exception {
        ParsedRequest r = parse(BODY.replace("}]}", "}],\"stream\":true}"), HttpFields.build()
                .put("x-api-key", "sk-client").put("X-Gateway-Cache", "OFF").put("X-Gateway-Route", "off"), null);
        assertThat(r.requestedModel()).isEqualTo("claude-sonnet-4-6");
        assertThat(r.stream()).isTrue();
        assertThat(r.client().credential()).isEqualTo("sk-client");
        assertThat(r.client().cacheOptOut()).isTrue();
        assertThat(r.client().routeBypass()).isTrue();
        assertThat(r.injectedKey()).isNull();
        assertThat(r.bodyFor("claude-sonnet-4-6")).isSameAs(r.originalBody());
        assertThat(new String(r.bodyFor("claude-haiku-4-5"), StandardCharsets.UTF_8))
                .isEqualTo(BODY.replace("claude-sonnet-4-6", "claude-haiku-4-5").replace("}]}", "}],\"stream\":true}"));
    }

    @Test
    void injectsTheConfiguredKeyOnlyWhenTheClientSentNone() throws Exception {
        ParsedRequest r = parse(BODY, HttpFields.build().put("Cache-Control", "max-age=0, No-Cache"), "sk-env");
        assertThat(r.injectedKey()).isEqualTo("sk-env");
        assertThat(r.client().credential()).isEqualTo("sk-env");
        assertThat(r.client().cacheOptOut()).isTrue();
        assertThat(r.client().routeBypass()).isFalse();
        assertThat(r.stream()).isFalse();
    }

    @Test
    void refreshSkipsTheLookupButIsNoOptOut() throws Exception {
        ParsedRequest refresh = parse(BODY, HttpFields.build().put("X-Gateway-Cache", "Refresh"), "sk-env");
        assertThat(refresh.client().cacheRefresh()).isTrue();
        assertThat(refresh.client().cacheOptOut()).isFalse();
        ParsedRequest plain = parse(BODY, HttpFields.EMPTY, "sk-env");
        assertThat(plain.client().cacheRefresh()).isFalse();
    }

    @Test
    void namesTheFieldItRefuses() {
        assertThatThrownBy(() -> parse("[]", HttpFields.EMPTY, null)).hasMessage("request body must be a JSON object");
        assertThatThrownBy(() -> parse(BODY.replace("\"max_tokens\":10", "\"max_tokens\":0"), HttpFields.EMPTY, null))
                .hasMessage("max_tokens: must be a positive integer");
        assertThatThrownBy(() -> parse(BODY.replace("}]}", "}],\"stream\":\"yes\"}"), HttpFields.EMPTY, null))
                .hasMessage("stream: must be a boolean");
        assertThatThrownBy(() -> parse("{\"model\":\" \"}", HttpFields.EMPTY, null))
                .hasMessage("model: must be a non-empty string");
    }
}
