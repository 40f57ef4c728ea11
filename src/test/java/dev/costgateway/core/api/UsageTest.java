package dev.costgateway.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class UsageTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Usage parse(String s) throws Exception {
        return Usage.fromJson(JSON.readTree(s));
    }

    @Test
    void aMessageDeltaRepeatingTheTotalsKeepsTheOneHourSplitOfMessageStart() throws Exception {
        Usage start = parse("{\"input_tokens\":5,\"cache_creation_input_tokens\":3000,\"cache_read_input_tokens\":0,"
                + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":1000,\"ephemeral_1h_input_tokens\":2000},"
                + "\"output_tokens\":1}");
        Usage end = start.merge(JSON.readTree("{\"input_tokens\":5,\"cache_creation_input_tokens\":3000,"
                + "\"cache_read_input_tokens\":0,\"output_tokens\":40}"));
        assertThat(end).isEqualTo(new Usage(5, 40, 3000, 1000, 2000, 0));
    }

    @Test
    void aNewTotalWithoutASplitCountsAsFiveMinuteWrites() throws Exception {
        Usage start = parse("{\"input_tokens\":5,\"cache_creation_input_tokens\":3000,"
                + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":1000,\"ephemeral_1h_input_tokens\":2000}}");
        Usage end = start.merge(JSON.readTree("{\"cache_creation_input_tokens\":3500,\"output_tokens\":9}"));
        assertThat(end).isEqualTo(new Usage(5, 9, 3500, 3500, 0, 0));
        assertThat(parse("{\"cache_creation_input_tokens\":70}").cacheCreation5mTokens()).isEqualTo(70);
    }
}
