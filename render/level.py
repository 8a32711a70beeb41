"""Levelling: the rotation maths live in :mod:`zorgblik.level` (capture's level estimate needs
them too, and capture sits below render); render uses them from here."""

from zorgblik.level import Angles, Matrix, correction_for_pose, pose_angles, pose_matrix

__all__ = ["Angles", "Matrix", "correction_for_pose", "pose_angles", "pose_matrix"]
