package dev.costgateway.app.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.TextInputControl;
import javafx.stage.Stage;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.testing.FakeGatewayControl;
import dev.costgateway.core.api.Usage;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.metrics.RouterScores;

/**
 * The routing knob in Settings, on recorded traffic of the last days: dragging the premium slider changes the
 * what-if preview and the share field, and Save writes the new share to config.yaml.
 */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class RoutingKnobUiTest {

    private static final Pattern PREMIUM = Pattern.compile("premium ([0-9.]+)%");

    @TempDir
    Path dir;
    FakeGatewayControl control;
    SettingsViewModel vm;

    @Start
    void start(Stage stage) throws Exception {
        control = new FakeGatewayControl(dir.resolve("config.yaml"));
        Instant now = control.clock().instant();
        // 40 answered Opus requests of the last days, scores spread over the whole range
        for (int i = 0; i < 40; i++) {
            double premium = i / 40.0;
            double balanced = Math.min(1, premium + 0.3);
            control.store().add(RequestRecord.builder().queryId("q" + i).timestamp(now.minus(Duration.ofHours(i)))
                    .requestedModel("claude-opus-4-7").finalModel("claude-sonnet-4-6").tier("balanced")
                    .classifierLayer("score").status(200).promptPreview("Prompt number " + i + " of the week").usage(new Usage(2000, 500, 0, 0, 0, 0)).costUsd(0.0135)
                    .routerScores(new RouterScores(premium, balanced, "embedding+features", 0.6, 0.2, "share",
                            "premium"))
                    .build());
        }
        vm = new SettingsViewModel(control, UiTasks.forFx());
        AppTheme.LIGHT.apply();
        Scene scene = new Scene(new SettingsView(vm).root(), 1000, 720);
        AppTheme.addAppStylesheet(scene);
        stage.setScene(scene);
        vm.activate();
        stage.show();
    }

    private static void awaitFx(java.util.function.BooleanSupplier condition) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, condition::getAsBoolean);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static double premiumPercent(String preview) {
        Matcher m = PREMIUM.matcher(preview);
        assertThat(m.find()).as(preview).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void draggingThePremiumSliderChangesThePreviewAndSaveWritesTheShare(FxRobot robot) throws Exception {
        Label preview = robot.lookup("#routing-knob-preview").queryAs(Label.class);
        awaitFx(() -> preview.getText().startsWith("Last 7 days"));
        String before = preview.getText();
        assertThat(before).startsWith("Last 7 days, 40 scored requests: ").contains("0 requests would change tier");
        double premiumBefore = premiumPercent(before);

        Slider slider = robot.lookup("#routing-knob-premium").queryAs(Slider.class);
        ScrollPane scroll = robot.lookup(".scroll-pane").queryAs(ScrollPane.class);
        robot.interact(() -> { // the Routing section is the third: scroll the slider into view, as a person would
            Node content = scroll.getContent();
            double y = content.sceneToLocal(slider.localToScene(0, 0)).getY();
            double range = content.getBoundsInLocal().getHeight() - scroll.getViewportBounds().getHeight();
            scroll.setVvalue(Math.max(0, Math.min(1, (y - 150) / range)));
        });
        WaitForAsyncUtils.waitForFxEvents();
        Node thumb = slider.lookup(".thumb");
        robot.drag(thumb).moveBy(slider.getWidth() * 0.4, 0).drop();

        awaitFx(() -> !preview.getText().equals(before) && preview.getText().startsWith("Last 7 days"));
        String after = preview.getText();
        assertThat(slider.getValue()).isGreaterThan(0.45);
        assertThat(premiumPercent(after)).isGreaterThan(premiumBefore);
        assertThat(after).doesNotContain(" 0 requests would change tier");
        // the requests that would move are listed, newest first, with their stored prompt and their two tiers
        Label examples = robot.lookup("#routing-knob-examples").queryAs(Label.class);
        awaitFx(() -> !examples.getText().isEmpty());
        assertThat(examples.isVisible()).isTrue();
        String[] lines = examples.getText().split("\n");
        assertThat(lines.length).isBetween(2, 1 + dev.costgateway.core.routing.RecordedTraffic.MAX_EXAMPLES);
        assertThat(lines[1]).matches("(fast|balanced) \u2192 premium   \u201cPrompt number \\d+ of the week\u201d");
        saveScreenshot(robot);
        TextInputControl field = robot.lookup("#routing-premium_share").queryAs(TextInputControl.class);
        assertThat(field.getText()).isEqualTo(RoutingKnobViewModel.write(slider.getValue()));

        Button save = robot.lookup("#settings-save").queryButton();
        awaitFx(() -> !save.isDisabled());
        robot.interact(save::fire);
        awaitFx(() -> control.config().routing().premiumShare() == slider.getValue());
        assertThat(Files.readString(control.configFile())).contains("premium_share: " + field.getText());
    }

    @Test
    void typingAShareMovesTheSliderAndARawThresholdIsFlagged(FxRobot robot) throws Exception {
        Label preview = robot.lookup("#routing-knob-preview").queryAs(Label.class);
        awaitFx(() -> preview.getText().startsWith("Last 7 days"));
        Slider slider = robot.lookup("#routing-knob-fast").queryAs(Slider.class);
        TextInputControl fast = robot.lookup("#routing-fast_share").queryAs(TextInputControl.class);
        robot.interact(() -> fast.setText("0.4"));
        assertThat(slider.getValue()).isEqualTo(0.4);

        Label overrides = robot.lookup("#routing-knob-overrides").queryAs(Label.class);
        assertThat(overrides.getText()).isEmpty();
        TextInputControl raw = robot.lookup("#routing-thresholds-premium").queryAs(TextInputControl.class);
        robot.interact(() -> raw.setText("0.5"));
        awaitFx(() -> !overrides.getText().isEmpty());
        assertThat(overrides.isVisible()).isTrue();
    }

    /** For a person to look at: {@code target/routing-knob.png}. */
    private static void saveScreenshot(FxRobot robot) throws Exception {
        javafx.scene.image.WritableImage image = WaitForAsyncUtils.asyncFx(() -> robot.lookup("#settings").query()
                .getScene().snapshot(null)).get(5, TimeUnit.SECONDS);
        java.awt.image.BufferedImage png = new java.awt.image.BufferedImage((int) image.getWidth(),
                (int) image.getHeight(), java.awt.image.BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                png.setRGB(x, y, image.getPixelReader().getArgb(x, y));
            }
        }
        javax.imageio.ImageIO.write(png, "png", Path.of("target", "routing-knob.png").toFile());
    }
}
