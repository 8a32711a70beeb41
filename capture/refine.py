"""Refine a dual-fisheye calibration on one capture: the rig rotation (and, where that is not
enough, the lens centres) from features both lenses see in their overlap.

    refined = refine_stitch(front_img, back_img, front_lens, back_lens)      # from the calibration
    pano = stitch_dual_fisheye(front_img, back_img, refined.front_lens, refined.back_lens, 3840, refined.rig)
    refined.reason()     # "naad tussen de lenzen: 5.9° links, 1.2° rechts met de kalibratie → …"

A second unit of the same camera, or the same one after a knock, sits a degree or two off the
calibration's rig and its lens centres a few pixels off; the seam then breaks by degrees. Here:

1. **The overlap ring in one picture.** Both lenses' views of the ring where they overlap (the
   great circle 90° from the front axis, ± ``band_deg``) are sampled, each through the current
   calibration, onto the same strip: angle from the front axis down, azimuth around it across.
   A scene point lands at nearly the same place in both strips, off by the rig's error.
2. **Matches.** SIFT features of the two strips, matched by Lowe's ratio test and kept only
   within ``max_shift_deg`` of each other; each match is a ray in the front lens and a ray in
   the back lens (through the calibration's pixels).
3. **The rotation.** RANSAC on the relative rotation (two matches fix one, Kabsch's SVD), then
   Gauss-Newton on the inliers' angular residuals: the back lens's rotation alone, and the
   rotation with both lens centres (7 parameters).
4. **Only when it helps.** Each candidate is measured with the seam metric
   (:func:`capture.seam.measure_seam`); the best is used only if its worse seam is smaller than
   the calibration's by at least ``gain_deg`` and neither seam grows. Otherwise the calibration
   is kept, and :meth:`StitchRefinement.reason` says why (too few matches, no gain).

The front lens's pose is never changed: only the two lenses' relative pose shows in the seam;
turning the whole sphere is levelling, not stitching.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from capture.lens import MeiLens
from capture.rig import DualFisheyeRig, LensPose
from capture.seam import SeamMeasure, measure_seam
from capture.stitch import check_fits

__all__ = ["StitchRefinement", "refine_stitch"]

#: world (right, up, forward) → nominal back lens frame; its own inverse (see capture.rig)
_WORLD_TO_BACK = np.diag([-1.0, -1.0, -1.0])


def _sides(measures: tuple[SeamMeasure, ...]) -> str:
    left, right = measures
    return f"{left.error_deg:.1f}° links, {right.error_deg:.1f}° rechts"


@dataclass(frozen=True)
class StitchRefinement:
    """What to stitch one capture with, and how the seam fared.

    ``front_lens``, ``back_lens`` and ``rig`` are the refined ones when ``refined`` is True,
    otherwise the calibration's. ``before`` and ``after`` are the seam measures (left, right)
    with the calibration and with what is used (the same when it was kept). ``matches``: the
    features matched in the overlap; ``inliers``: those the rotation explains. ``kept_why``:
    why the calibration was kept (empty when refined); ``centres_moved``: the refinement moved
    the lens centres, not only the rotation.
    """

    front_lens: MeiLens
    back_lens: MeiLens
    rig: DualFisheyeRig
    before: tuple[SeamMeasure, SeamMeasure]
    after: tuple[SeamMeasure, SeamMeasure]
    matches: int
    inliers: int
    refined: bool
    kept_why: str = ""
    centres_moved: bool = False

    def reason(self) -> str:
        """One Dutch line for the footage's reasons: the seam before and after, per side."""
        worst = max(m.error_deg for m in self.after)
        warn = " — controleer de kalibratie" if worst > 2.0 else ""
        if self.refined:
            what = "stand en lensmiddens" if self.centres_moved else "stand van de lenzen"
            return (f"naad tussen de lenzen: {_sides(self.before)} met de kalibratie → "
                    f"{_sides(self.after)} na bijstellen op deze opname ({what}, "
                    f"{self.inliers} punten in de overlap){warn}")
        return (f"naad tussen de lenzen: {_sides(self.before)} met de kalibratie; "
                f"kalibratie gehouden: {self.kept_why}{warn}")


# ── the overlap ring ──────────────────────────────────────────────────────────────────────

def _ring_directions(band_deg: float, step_deg: float) -> np.ndarray:
    """World directions (rows × cols × 3) of the strip: angle from the front axis 90 ± band down
    the rows, azimuth around the front axis across the columns."""
    rows = int(round(2 * band_deg / step_deg)) + 1
    cols = int(round(360.0 / step_deg))
    theta = np.radians(90.0 - band_deg + np.arange(rows) * step_deg)[:, None]
    psi = np.radians(np.arange(cols) * step_deg)[None, :]
    return np.stack(np.broadcast_arrays(np.sin(theta) * np.cos(psi), np.sin(theta) * np.sin(psi),
                                        np.cos(theta)), -1)


def _direction_at(x: np.ndarray, y: np.ndarray, band_deg: float, step_deg: float) -> np.ndarray:
    """World directions of sub-pixel strip positions (the inverse of :func:`_ring_directions`)."""
    theta = np.radians(90.0 - band_deg + y * step_deg)
    psi = np.radians(x * step_deg)
    return np.stack([np.sin(theta) * np.cos(psi), np.sin(theta) * np.sin(psi), np.cos(theta)], -1)


def _strip(img: np.ndarray, lens: MeiLens, to_lens: np.ndarray, dirs: np.ndarray, reach: float):
    """One lens's grey picture of the strip, and the mask of where it sees."""
    cam = dirs @ to_lens.T
    u, v, seen = lens.project(cam)
    seen &= np.arccos(np.clip(cam[..., 2], -1.0, 1.0)) <= reach
    gray = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    picture = cv2.remap(gray, u.astype(np.float32), v.astype(np.float32), cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    mask = cv2.erode(seen.astype(np.uint8) * 255, np.ones((9, 9), np.uint8))
    return picture, mask


def _matches(front_strip, front_mask, back_strip, back_mask, max_shift_px: float):
    """Matched strip positions ((n, 2) front, (n, 2) back) by SIFT and Lowe's ratio test, kept
    only where the two are within ``max_shift_px`` of each other (across the strip's wrap)."""
    sift = cv2.SIFT_create(nfeatures=4000, contrastThreshold=0.01)
    kf, df = sift.detectAndCompute(front_strip, front_mask)
    kb, db = sift.detectAndCompute(back_strip, back_mask)
    if df is None or db is None or len(kf) < 2 or len(kb) < 2:
        return np.zeros((0, 2)), np.zeros((0, 2))
    pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(df, db, k=2)
    width = front_strip.shape[1]
    pf, pb = [], []
    for pair in pairs:
        if len(pair) < 2 or pair[0].distance > 0.85 * pair[1].distance:
            continue
        a, b = np.array(kf[pair[0].queryIdx].pt), np.array(kb[pair[0].trainIdx].pt)
        dx = (b[0] - a[0] + width / 2) % width - width / 2
        if math.hypot(dx, b[1] - a[1]) <= max_shift_px:
            pf.append(a)
            pb.append(b)
    return np.array(pf).reshape(-1, 2), np.array(pb).reshape(-1, 2)


# ── the rotation ──────────────────────────────────────────────────────────────────────────

def _kabsch(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The rotation R minimising Σ |R a_i − b_i|² (rows of a and b are vectors)."""
    u, _, vt = np.linalg.svd(b.T @ a)
    d = np.sign(np.linalg.det(u @ vt)) or 1.0
    return u @ np.diag([1.0, 1.0, d]) @ vt


def _angles(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.arccos(np.clip((a * b).sum(-1), -1.0, 1.0))


def _ransac_rotation(front_rays, back_rays, threshold: float, tries: int = 300, seed: int = 17):
    """(R, inlier mask) with back ≈ R · front, from random pairs of matches."""
    rng = np.random.default_rng(seed)
    n = len(front_rays)
    best = np.zeros(n, bool)
    for _ in range(tries):
        i, j = rng.choice(n, 2, replace=False)
        if abs(float(front_rays[i] @ front_rays[j])) > 0.9999:
            continue
        rotation = _kabsch(front_rays[[i, j]], back_rays[[i, j]])
        inliers = _angles(front_rays @ rotation.T, back_rays) < threshold
        if inliers.sum() > best.sum():
            best = inliers
    if best.sum() < 3:
        return np.eye(3), best
    rotation = _kabsch(front_rays[best], back_rays[best])
    return rotation, _angles(front_rays @ rotation.T, back_rays) < threshold


def _exp(w: np.ndarray) -> np.ndarray:
    """The rotation of rotation vector ``w`` (Rodrigues)."""
    return cv2.Rodrigues(np.asarray(w, np.float64).reshape(3, 1))[0]


def _fit(rotation, front_px, back_px, front_lens: MeiLens, back_lens: MeiLens, centres: bool, iterations: int = 10):
    """Gauss-Newton on back ≈ exp(w)·R·front over the matches' pixels, with the lens centres
    when ``centres``; returns (rotation, front lens, back lens)."""
    size = 7 if centres else 3

    def lenses(x):
        if not centres:
            return front_lens, back_lens
        return (replace(front_lens, cx=front_lens.cx + float(x[3]), cy=front_lens.cy + float(x[4])),
                replace(back_lens, cx=back_lens.cx + float(x[5]), cy=back_lens.cy + float(x[6])))

    def residuals(x):
        front, back = lenses(x)
        rf, okf = front.unproject(front_px[:, 0], front_px[:, 1])
        rb, okb = back.unproject(back_px[:, 0], back_px[:, 1])
        r = (rf @ (_exp(x[:3]) @ rotation).T - rb) * (okf & okb)[:, None]
        return r.ravel()

    x = np.zeros(size)
    # a centre is in pixels, a rotation in radians: steps of comparable effect
    step = np.array([1e-5] * 3 + [1e-2] * (size - 3))
    damping = 1e-3
    current = residuals(x)
    for _ in range(iterations):
        jac = np.stack([(residuals(x + step * np.eye(size)[k]) - current) / step[k] for k in range(size)], -1)
        normal = jac.T @ jac
        try:
            delta = np.linalg.solve(normal + damping * np.diag(np.diag(normal) + 1e-12), -jac.T @ current)
        except np.linalg.LinAlgError:
            break
        trial = residuals(x + delta)
        if trial @ trial < current @ current:
            x, current, damping = x + delta, trial, damping / 3
        else:
            damping *= 10
        if np.abs(delta[:3]).max() < 1e-7 and (size == 3 or np.abs(delta[3:]).max() < 1e-4):
            break
    front, back = lenses(x)
    return _exp(x[:3]) @ rotation, front, back


def _residuals(rotation, front: MeiLens, back: MeiLens, front_px, back_px) -> np.ndarray:
    """Each match's angle (radians) between the back ray and the front ray turned by ``rotation``."""
    rf, okf = front.unproject(front_px[:, 0], front_px[:, 1])
    rb, okb = back.unproject(back_px[:, 0], back_px[:, 1])
    return np.where(okf & okb, _angles(rf @ rotation.T, rb), math.inf)


def _rig_with_back(rig: DualFisheyeRig, to_back: np.ndarray) -> DualFisheyeRig:
    return replace(rig, back=LensPose.from_matrix(to_back @ _WORLD_TO_BACK))


# ── the whole ─────────────────────────────────────────────────────────────────────────────

def refine_stitch(front_img: np.ndarray, back_img: np.ndarray, front_lens: MeiLens, back_lens: MeiLens,
                  rig: DualFisheyeRig | None = None, *, band_deg: float = 7.0, step_deg: float = 0.25,
                  max_shift_deg: float = 8.0, inlier_deg: float = 0.3, min_inliers: int = 25,
                  gain_deg: float = 0.2) -> StitchRefinement:
    """Refine the rig (and where needed the lens centres) on this capture, starting from the
    calibration; see the module docstring. Keeps the calibration when it cannot do better."""
    rig = rig or DualFisheyeRig()
    check_fits(front_img, front_lens, "voorste")
    check_fits(back_img, back_lens, "achterste")
    before = tuple(measure_seam(front_img, back_img, front_lens, back_lens, rig))

    def kept(why: str, matches: int = 0, inliers: int = 0) -> StitchRefinement:
        return StitchRefinement(front_lens, back_lens, rig, before, before, matches, inliers, False, why)

    to_front, to_back = rig.to_lens("front"), rig.to_lens("back")
    dirs = _ring_directions(band_deg, step_deg)
    reach = math.radians(90.0 + band_deg)
    front_strip, front_mask = _strip(front_img, front_lens, to_front, dirs, reach)
    back_strip, back_mask = _strip(back_img, back_lens, to_back, dirs, reach)
    fpos, bpos = _matches(front_strip, front_mask, back_strip, back_mask, max_shift_deg / step_deg)
    matches = len(fpos)
    if matches < min_inliers:
        return kept(f"te weinig overeenkomende punten in de overlap ({matches}, minstens {min_inliers} nodig)",
                    matches)
    # each match: a pixel in either lens, through the calibration
    front_rays = _direction_at(fpos[:, 0], fpos[:, 1], band_deg, step_deg) @ to_front.T
    back_rays = _direction_at(bpos[:, 0], bpos[:, 1], band_deg, step_deg) @ to_back.T
    fu, fv, _ = front_lens.project(front_rays)
    bu, bv, _ = back_lens.project(back_rays)
    front_px, back_px = np.stack([fu, fv], -1), np.stack([bu, bv], -1)
    # a rotation alone explains a rig whose lens centres are also off only to within a fraction
    # of a degree: RANSAC is loose, the fits below tighten it
    relative, inliers = _ransac_rotation(front_rays, back_rays, math.radians(2 * inlier_deg))
    count = int(inliers.sum())
    if count < min_inliers:
        return kept(f"te weinig punten in de overlap die op één stand wijzen ({count} van {matches}, "
                    f"minstens {min_inliers} nodig)", matches, count)

    candidates = []
    for centres in (False, True):
        rotation, front, back, used = relative, front_lens, back_lens, inliers
        for _ in range(2):      # fit, then fit again on the matches the fit explains
            rotation, front, back = _fit(rotation, front_px[used], back_px[used], front, back, centres)
            used = _residuals(rotation, front, back, front_px, back_px) < math.radians(inlier_deg)
            if used.sum() < min_inliers:
                break
        candidate_rig = _rig_with_back(rig, rotation @ to_front)
        after = tuple(measure_seam(front_img, back_img, front, back, candidate_rig))
        candidates.append((max(m.error_deg for m in after), centres, front, back, candidate_rig, after,
                           int(used.sum())))
    worst, centres, front, back, new_rig, after, count = min(candidates, key=lambda c: (round(c[0], 6), c[1]))
    worst_before = max(m.error_deg for m in before)
    grows = any(a.error_deg > b.error_deg + 1e-9 for a, b in zip(after, before))
    if worst > worst_before - gain_deg or grows:
        return kept(f"bijstellen maakte de naad niet kleiner ({_sides(after)} na bijstellen)", matches, count)
    return StitchRefinement(front, back, new_rig, before, after, matches, count, True, "", centres)
