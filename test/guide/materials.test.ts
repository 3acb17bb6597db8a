import { consolidateMaterials, materialKey, materialDisplayName, replacedByCommitment, type MaterialInput } from '../../src/guide/materials';

const input = (matterNo: number, matter: string, name: string, extra: Partial<MaterialInput> = {}): MaterialInput => ({
  matterNo,
  matter,
  condition: null,
  commitment: false,
  name,
  form: null,
  copies: null,
  required: null,
  source: null,
  note: null,
  ...extra,
});

describe('material names', () => {
  it('gives the same key to the ways departments write one document', () => {
    const variants = ['营业执照', '《营业执照》', '营业执照复印件', '营业执照（副本）复印件（加盖公章）', '营业执照原件及复印件', '营业执照副本', ' 营业执照。', '营业执照(复印件)'];
    expect(new Set(variants.map(materialKey)).size).toBe(1);
    expect(materialKey('ＩＣＰ备案证明')).toBe(materialKey('ICP备案证明'));
    expect(materialKey('法定代表人（负责人）身份证明')).not.toBe(materialKey('法定代表人身份证明'));
    expect(materialDisplayName('《营业执照》（副本）复印件（加盖公章）')).toBe('营业执照');
    expect(materialDisplayName('药品经营许可证（零售）')).toBe('药品经营许可证（零售）');
  });

  it('decides what the commitment letter replaces: notes first, then proofs of conditions', () => {
    expect(replacedByCommitment(true, { name: '卫生检测报告', note: null })).toBe(true);
    expect(replacedByCommitment(true, { name: '公共场所卫生许可申请书', note: null })).toBe(false);
    expect(replacedByCommitment(true, { name: '营业执照', note: null })).toBe(false);
    expect(replacedByCommitment(false, { name: '诊所规章制度', note: '可实行告知承诺' })).toBe(true);
    expect(replacedByCommitment(true, { name: '制度', note: '不适用告知承诺' })).toBe(false);
    expect(replacedByCommitment(false, { name: '卫生检测报告', note: null })).toBe(false);
  });
});

describe('consolidated material list', () => {
  it('lists a material three matters share once, with the three matters, the forms and the most copies', () => {
    const items = consolidateMaterials([
      input(1, '食品经营许可', '食品经营许可申请书'),
      input(1, '食品经营许可', '营业执照复印件', { copies: 1 }),
      input(2, '酒类商品零售许可', '《营业执照》（原件）', { copies: 2, condition: '销售酒类商品的' }),
      input(3, '烟草专卖零售许可', '营业执照副本（加盖公章）', { condition: '销售卷烟的' }),
      input(3, '烟草专卖零售许可', '经营场所产权证明', { condition: '销售卷烟的' }),
    ]);
    expect(items.map((i) => i.name)).toEqual(['食品经营许可申请书', '营业执照', '经营场所产权证明']);
    const licence = items[1];
    expect(licence).toMatchObject({ no: 2, matters: ['食品经营许可', '酒类商品零售许可', '烟草专卖零售许可'], matterNos: [1, 2, 3], copies: 2, requests: 3, sealed: true, form: '原件及复印件', onlyWhen: [] });
    expect(licence.remark).toBe('加盖公章');
    expect(items[2]).toMatchObject({ onlyWhen: ['销售卷烟的'], remark: '销售卷烟的提交' });
  });

  it('marks a material replaced by the commitment letter only when every matter it serves accepts that', () => {
    const items = consolidateMaterials([
      input(1, '酒类商品零售许可', '经营场所产权证明或租赁合同', { commitment: true }),
      input(2, '烟草专卖零售许可', '经营场所产权证明或租赁合同'),
      input(1, '酒类商品零售许可', '酒类经营管理制度', { commitment: true }),
    ]);
    expect(items.map((i) => [i.name, i.byCommitment])).toEqual([
      ['经营场所产权证明或租赁合同', false],
      ['酒类经营管理制度', true],
    ]);
    expect(items[1].remark).toBe('选择告知承诺的，以告知承诺书替代');
  });
});
