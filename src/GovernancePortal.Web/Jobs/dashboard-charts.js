// The dashboard's stylesheet bundle already holds Chart.css; inserting it again as a <style> element is refused by the
// portal's Content-Security-Policy (style-src 'self'), so Chart.js is told not to.
if (window.Chart && Chart.platform) {
    Chart.platform.disableCSSInjection = true;
}
