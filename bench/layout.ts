/** The shape of the generated combined catalog, shared by the generator and the measurements. */
export const HEADER = ['序号', '行业名称', '事项编码', '事项名称', '实施部门', '设定依据', '改革方式', '法定时限', '承诺时限', '现场核查', '告知承诺', '办理情形', '申请材料'];
/** Rows above the header in every combined file (an attachment label and a title). */
export const TITLE_ROWS = 2;
