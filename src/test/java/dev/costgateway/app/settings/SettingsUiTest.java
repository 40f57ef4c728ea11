package dev.costgateway.app.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextInputControl;
import javafx.scene.image.WritableImage;
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

/** The settings screen alone, with the app's real background executor for the checks across keys. */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class SettingsUiTest {
    @TempDir
    Path dir;
    FakeGatewayControl control;
    SettingsViewModel vm;

    @Start
    void start(Stage stage) throws Exception {
        control = new FakeGatewayControl(dir.resolve("config.yaml"));
        vm = new SettingsViewModel(control, UiTasks.forFx());
        AppTheme.LIGHT.apply();
        Scene scene = new Scene(new SettingsView(vm).root(), 1000, 720);
        AppTheme.addAppStylesheet(scene);
        stage.setScene(scene);
        vm.activate();
        stage.show();
    }

    private static void replaceText(FxRobot robot, String query, String text) {
        TextInputControl input = robot.lookup(query).queryAs(TextInputControl.class);
        robot.interact(() -> {
            input.requestFocus();
            input.selectAll();
        });
        robot.write(text);
    }

    private static Label label(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(Label.class);
    }

    private static void awaitFx(FxRobot robot, java.util.function.BooleanSupplier condition) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, condition::getAsBoolean);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void listeningOnAllInterfacesWithoutATokenIsExplainedAndSaveIsRefusedBeforeSaving(FxRobot robot)
            throws Exception {
        String before = Files.readString(control.configFile());
        replaceText(robot, "#server-host", "0.0.0.0");

        Label error = label(robot, "#server-host-error");
        awaitFx(robot, () -> !error.getText().isEmpty());
        assertThat(error.getText()).isEqualTo("refusing to listen on 0.0.0.0 without server.auth_token: set a token "
                + "(clients send it as X-Gateway-Token) or bind to 127.0.0.1");
        assertThat(error.isVisible()).isTrue();
        Button save = robot.lookup("#settings-save").queryButton();
        assertThat(save.isDisabled()).isTrue();
        saveScreenshot(robot);
        robot.clickOn(save);
        assertThat(Files.readString(control.configFile())).isEqualTo(before);

        replaceText(robot, "#server-auth_token", "s3cret");
        awaitFx(robot, () -> error.getText().isEmpty() && !save.isDisabled());
        robot.clickOn(save);
        awaitFx(robot, () -> control.config().server().host().equals("0.0.0.0"));
        assertThat(Files.readString(control.configFile())).contains("host: 0.0.0.0").contains("auth_token: \"s3cret\"");
    }

    @Test
    void aDatabaseUrlWithAPasswordIsMaskedOnScreenAndStillSaved(FxRobot robot) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:5432/gateway?user=team&password=pw4242";
        TextInputControl field = robot.lookup("#metrics-jdbc_url").queryAs(TextInputControl.class);
        assertThat(field).isInstanceOf(javafx.scene.control.PasswordField.class);
        robot.interact(() -> field.setText(url));
        String teamUrl = "jdbc:postgresql://10.0.0.5:5432/team?user=viewer&password=pw5353";
        TextInputControl team = robot.lookup("#metrics-team_view_jdbc_url").queryAs(TextInputControl.class);
        assertThat(team).isInstanceOf(javafx.scene.control.PasswordField.class);
        robot.interact(() -> team.setText(teamUrl));
        WaitForAsyncUtils.waitForFxEvents();

        // what a person sees: no text node of the screen shows the password
        java.util.function.Predicate<javafx.scene.Node> isText = n -> n instanceof javafx.scene.text.Text;
        java.util.List<String> shown = robot.from(robot.lookup("#settings").<javafx.scene.Node>queryAll())
                .lookup(isText).queryAll().stream().map(n -> ((javafx.scene.text.Text) n).getText()).filter(t -> t != null).toList();
        assertThat(shown).isNotEmpty().noneMatch(t -> t.contains("pw4242") || t.contains("pw5353"));

        Button save = robot.lookup("#settings-save").queryButton();
        awaitFx(robot, () -> !save.isDisabled());
        robot.clickOn(save);
        awaitFx(robot, () -> control.config().metrics().jdbcUrl().equals(url));
        awaitFx(robot, () -> control.config().metrics().teamViewJdbcUrl().equals(teamUrl));
        assertThat(Files.readString(control.configFile())).contains("password=pw4242").contains("password=pw5353");
    }

    /** For a person to look at: {@code target/settings-exposure.png}. */
    private static void saveScreenshot(FxRobot robot) throws Exception {
        WritableImage image = WaitForAsyncUtils.asyncFx(() -> robot.lookup("#settings").query().getScene()
                .snapshot(null)).get(5, TimeUnit.SECONDS);
        java.awt.image.BufferedImage png = new java.awt.image.BufferedImage((int) image.getWidth(),
                (int) image.getHeight(), java.awt.image.BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                png.setRGB(x, y, image.getPixelReader().getArgb(x, y));
            }
        }
        javax.imageio.ImageIO.write(png, "png", Path.of("target", "settings-exposure.png").toFile());
    }
}
