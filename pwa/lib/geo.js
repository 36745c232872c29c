// @ts-check
/** Where the phone is, asked fresh each time (never a cached fix), with its accuracy in metres. */

/** @typedef {{latitude: number, longitude: number, accuracy: number}} Fix */

/** @returns {Promise<Fix>} */
export function currentPosition(timeout = 20000) {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new Error('This phone cannot tell us where it is. Describe the place in words instead.'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve({
        latitude: position.coords.latitude,
        longitude: position.coords.longitude,
        accuracy: Math.round(position.coords.accuracy),
      }),
      (error) => reject(new Error(error.code === error.PERMISSION_DENIED
        ? 'Your phone did not allow us to find where you are. Describe the place in words instead, or allow location in your settings.'
        : 'We could not find where you are just now. Try again outside, or describe the place in words.')),
      { enableHighAccuracy: true, maximumAge: 0, timeout },
    );
  });
}

/** @param {number} value */
export function roundCoordinate(value) {
  return Math.round(value * 1e6) / 1e6;
}
