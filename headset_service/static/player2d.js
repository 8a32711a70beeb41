// The staff 2D preview's entry point: the headset player (static/player/) in 2D mode, for the
// scene named on the page. For the classroom projector and for people who cannot wear a headset.
import("/static/player/preview.js").then((m) => m.preview(window.ZORGBLIK_SCENE.bundle_key));
