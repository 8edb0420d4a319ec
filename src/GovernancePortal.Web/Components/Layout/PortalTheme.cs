using MudBlazor;

namespace GovernancePortal.Components.Layout;

/// <summary>
/// The portal's one theme: the palette of the earlier design tokens (navy brand, slate ink, muted status colours) for
/// MudBlazor, and a dark counterpart. app.css reads these colours back through MudBlazor's CSS variables.
/// </summary>
public static class PortalTheme
{
    private static readonly string[] FontFamily = ["Segoe UI", "system-ui", "-apple-system", "Helvetica Neue", "Arial", "sans-serif"];

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1d4e89",
            PrimaryDarken = "#143a68",
            PrimaryLighten = "#e6eef8",
            Secondary = "#4d5b6e",
            Tertiary = "#6b7789",
            Info = "#1d4e89",
            Success = "#1e6b3a",
            Warning = "#7a4d00",
            Error = "#a11d1d",
            Dark = "#16202e",
            TextPrimary = "#16202e",
            TextSecondary = "#4d5b6e",
            Background = "#f3f5f8",
            BackgroundGray = "#eceff3",
            Surface = "#ffffff",
            AppbarBackground = "#143a68",
            AppbarText = "#ffffff",
            DrawerBackground = "#ffffff",
            DrawerText = "#16202e",
            DrawerIcon = "#4d5b6e",
            LinesDefault = "#d8dee6",
            LinesInputs = "#b9c2ce",
            TableLines = "#d8dee6",
            Divider = "#d8dee6",
            ActionDefault = "#4d5b6e",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8db6ea",
            PrimaryDarken = "#6d9bd6",
            PrimaryLighten = "#1e3350",
            Secondary = "#a9b4c4",
            Tertiary = "#8794a7",
            Info = "#8db6ea",
            Success = "#7fd19b",
            Warning = "#f0c062",
            Error = "#f29a94",
            Dark = "#0b111a",
            TextPrimary = "#e6ebf2",
            TextSecondary = "#a9b4c4",
            Background = "#0f1621",
            BackgroundGray = "#1a2433",
            Surface = "#172131",
            AppbarBackground = "#0b1a2e",
            AppbarText = "#e6ebf2",
            DrawerBackground = "#131c2a",
            DrawerText = "#e6ebf2",
            DrawerIcon = "#a9b4c4",
            LinesDefault = "#2c3a4f",
            LinesInputs = "#475671",
            TableLines = "#2c3a4f",
            Divider = "#2c3a4f",
            ActionDefault = "#a9b4c4",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = FontFamily },
            H1 = new H1Typography { FontFamily = FontFamily, FontSize = "1.625rem", FontWeight = "600", LineHeight = "1.25" },
            H2 = new H2Typography { FontFamily = FontFamily, FontSize = "1.25rem", FontWeight = "600", LineHeight = "1.25" },
            H3 = new H3Typography { FontFamily = FontFamily, FontSize = "1rem", FontWeight = "600", LineHeight = "1.25" },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "6px", DrawerWidthLeft = "13rem" },
    };
}
