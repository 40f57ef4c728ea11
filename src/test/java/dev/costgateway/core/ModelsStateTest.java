package dev.costgateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.costgateway.core.embed.EmbedderService.State;

/** The status bar's "Embedder" item for the two local models (sentence embedding, router vectors). */
class ModelsStateTest {

    @ParameterizedTest
    @CsvSource({
        "READY, READY, READY",
        "READY, FAILED, FAILED",
        "FAILED, READY, FAILED",
        "LOADING, FAILED, FAILED",
        "READY, LOADING, LOADING",
        "LOADING, READY, LOADING",
        "DISABLED, DISABLED, DISABLED",
        "DISABLED, READY, READY",
        "READY, DISABLED, READY",
    })
    void eitherModelsFailureOrLoadShowsAndReadyNeedsNeither(State sentence, State vectors,
                                                            GatewayStatus.EmbedderState shown) {
        assertThat(GatewayComponents.modelsState(sentence, vectors)).isEqualTo(shown);
    }
}
