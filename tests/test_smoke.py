def test_world_builds(world):
    assert len(world.student_ids) == 5
    actor = world.actor("teacher")
    assert actor.teacher_id == world.teacher_id
