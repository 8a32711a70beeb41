"""capture: taking 360° footage in — classify, store, record, consent, stitch, convert cubemaps and meshes.

    ingested = add_footage(path, catalog=catalog, store=FootageStore(settings.store_dir))
    kind = classify(probe(path), path)          # probe: zorgblik.media; projection, layout, stereo, pose, …
    record_consent(db, footage_id, person="F-17", role="client", status="given")
    store = UploadStore(settings.data_dir / "uploads", ...)   # resumable uploads (tus) end in add_footage
    add_dual_fisheye([front.jpg, back.jpg], front_lens=…, back_lens=…, catalog=…, store=…)  # stitched in
    fit = measure_cube(gray)              # a 3:2 cubemap's layout (EAC or 3×2), by its face edges
    mesh_to_vr180(src, dst, meshes, stereo, found)   # a V2 mesh-projection clip resampled to equirect 180°
    estimate = estimate_level(equirect_still)   # the level read from the picture, when no pose was recorded
    pano = stitch_dual_fisheye(front_img, back_img, MeiLens.from_yaml(f), MeiLens.from_yaml(b), out_width=3840)
    refined = refine_stitch(front_img, back_img, front_lens, back_lens)   # rig + lens centres per capture
"""

import lazy_loader as _lazy

# Names load from their module on first use, so a command imports only what it runs
# (OpenCV for classifying and stitching).
__getattr__, __dir__, __all__ = _lazy.attach(
    __name__,
    submod_attrs={
        "classify": ["Classification", "classify"],
        "consent": ["consent_state", "record_consent", "withdraw"],
        "cubemap": ["CubeFit", "convert_to_equirect", "measure_cube"],
        "dual_fisheye": ["add_dual_fisheye"],
        "errors": [
            "CaptureError", "ConsentError", "LayoutNotSupported", "NotPanoramic", "RejectedName", "StitchError",
            "TooLarge",
        ],
        "ingest": ["Ingested", "add_footage"],
        "lens": ["MeiLens"],
        "mesh180": ["mesh_to_vr180"],
        "level_estimate": ["LevelEstimate", "estimate_level"],
        "refine": ["StitchRefinement", "refine_stitch"],
        "rig": ["DualFisheyeRig", "LensPose"],
        "seam": ["SeamMeasure", "measure_seam"],
        "stitch": [
            "DualFisheyeStitcher", "lens_images_from_equirect", "side_by_side_stitcher", "stitch_dual_fisheye",
            "stitch_side_by_side", "stitch_video",
        ],
        "store": ["FootageStore", "StoredFile"],
        "upload": ["Upload", "UploadError", "UploadStore"],
    },
)
