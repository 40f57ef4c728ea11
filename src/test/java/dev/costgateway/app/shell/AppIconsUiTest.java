package dev.costgateway.app.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.concurrent.TimeUnit;

import javafx.scene.image.Image;
import javafx.stage.Stage;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.util.WaitForAsyncUtils;

@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class AppIconsUiTest {

    @Test
    void theWindowGetsTheIconInEverySize() throws Exception {
        Stage stage = WaitForAsyncUtils.asyncFx(() -> {
            Stage s = new Stage();
            AppIcons.apply(s);
            return s;
        }).get(5, TimeUnit.SECONDS);

        assertThat(stage.getIcons()).extracting(Image::getWidth, Image::getHeight)
                .containsExactly(tuple(32.0, 32.0),
                        tuple(64.0, 64.0),
                        tuple(128.0, 128.0),
                        tuple(256.0, 256.0));
        assertThat(stage.getIcons()).noneMatch(Image::isError);
    }
}
